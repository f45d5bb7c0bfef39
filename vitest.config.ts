import { defineConfig } from 'vitest/config';

// Real servers, real browsers and real PKI operations: generous timeouts, and at most two test
// files at once because the machines have two cores.
export default defineConfig({
  test: {
    include: ['{server,certs,signing,protocol,e2e,scripts}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', 'data/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['./vitest.global-setup.ts'],
  },
});
