import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Real servers, real browsers and real PKI operations: generous timeouts, and at most two test
// files at once because the machines have two cores. Files that run live media (Chromium pages,
// WebRTC bots, the recorder) measure what users see — decode delays, recorded durations — so they
// run one at a time, after the rest: two of them side by side starve each other on two cores.
// The other e2e files (pages and consoles in Chromium without a camera, fuzzing, the full disk, the
// cluster's API nodes and lab) run two at a time with the core files, as a busy CI machine would.
const liveMedia = [
  'e2e/{media,network}/*.test.ts',
  'e2e/flows/{flows,ratings}.test.ts',
  'server/features/identity/flow-a.test.ts',
  'server/features/identity/session-preconditions.test.ts',
  'server/features/cases/applicant-binding.test.ts',
  'server/features/records/timeline.test.ts',
  'server/features/recording/recording-archive.test.ts',
  'server/app/cluster-cascade.test.ts',
  'server/app/cluster-roles.test.ts',
];

// `npm run test:live-faults` (TONGBAN_TEST_SET=live-faults): the fault runs with live media — kill -9
// of the server, of a mediasoup worker and of a cluster's home media node mid-recording, and the impaired network (loss, delay, caps,
// a 10 s outage) — one at a time. They take minutes of the two cores and test recovery, not what
// users do: CI runs them after the README's test command, which must stay well under 30 minutes.
const liveFaults = ['e2e/faults/kill-{server,worker,media-node}.test.ts', 'e2e/network/network-faults.test.ts'];

// `npm run test:postgres` (TONGBAN_TEST_DATABASE=postgres): the same server test files with every
// TestServer and store test on PostgreSQL (server/test-support/databases.ts) — the files that reach the
// database (a TestServer, a store, the CLI on a data directory) and run no live media, which gains
// nothing from the back-end and costs minutes.
const onPostgres = process.env.TONGBAN_TEST_DATABASE === 'postgres';
const onLiveFaults = process.env.TONGBAN_TEST_SET === 'live-faults';
// Files that would only run their SQLite test again: the CLI on a data directory made with the SQLite
// file (trust snapshot: the file itself; verify-batch: signed-pdf-set.ts; the launcher), the recording store's
// tests on their own SQLite file (to move to testDatabase(TEST_BACKEND) as the other store tests did),
// a SQLite migration's data conversion, and the schema parity, which compares both back-ends anyway.
const sqliteOnly = [
  'server/cli/commands/trust-snapshot.test.ts',
  'server/cli/commands/verify-batch.test.ts',
  'server/cli/launcher.test.ts',
  'server/features/recording/RecordingStore.test.ts',
  'server/features/recording/recovery.test.ts',
  'server/kernel/store/migrations/031-guest-binding.test.ts',
  'server/kernel/store/schema-parity.test.ts',
];
const reachesDatabase = /\b(TestServer|testDatabase|describeBackends|Database|runCli|tongban\.cjs)\b/;
const liveMediaFile = /\bmedia: \{|joinLiveRoom|worker-env/;
const postgresFiles = () =>
  readdirSync('server', { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `server/${f}`)
    .filter((f) => !liveMedia.includes(f) && !sqliteOnly.includes(f))
    .filter((f) => {
      const text = readFileSync(f, 'utf8');
      return reachesDatabase.test(text) && !liveMediaFile.test(text);
    })
    .sort();

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', 'dist/**', 'data/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['./vitest.global-setup.ts', './vitest.redis-setup.ts', './vitest.postgres-setup.ts'],
    projects: onLiveFaults
      ? [{ extends: true, test: { name: 'live-faults', include: liveFaults, fileParallelism: false } }]
      : onPostgres
        ? [{ extends: true, test: { name: 'postgres', include: postgresFiles() } }]
        : [
            {
              extends: true,
              test: {
                name: 'core',
                include: ['{server,certs,signing,protocol,scripts,e2e}/**/*.test.ts'],
                exclude: ['**/node_modules/**', 'dist/**', 'data/**', ...liveMedia, ...liveFaults],
                sequence: { groupOrder: 0 },
              },
            },
            {
              extends: true,
              test: {
                name: 'live-media',
                include: liveMedia,
                exclude: liveFaults,
                fileParallelism: false,
                sequence: { groupOrder: 1 },
              },
            },
          ],
  },
});
