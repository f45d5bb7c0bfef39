import { defineConfig } from 'vitest/config';

// Real servers, real browsers and real PKI operations: generous timeouts, and at most two test
// files at once because the machines have two cores. Files that run live media (Chromium pages,
// WebRTC bots, the recorder) measure what users see — decode delays, recorded durations — so they
// run one at a time, after the rest: two of them side by side starve each other on two cores.
const liveMedia = [
  'e2e/**/*.test.ts',
  'server/features/identity/flow-a.test.ts',
  'server/features/identity/session-preconditions.test.ts',
  'server/features/cases/applicant-binding.test.ts',
  'server/features/records/timeline.test.ts',
  'server/features/recording/recording-archive.test.ts',
  'server/app/cluster-cascade.test.ts',
];

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', 'dist/**', 'data/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['./vitest.global-setup.ts', './vitest.redis-setup.ts', './vitest.postgres-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'core',
          include: ['{server,certs,signing,protocol,scripts}/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**', 'data/**', ...liveMedia],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'live-media', include: liveMedia, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
