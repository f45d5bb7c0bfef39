// The demo's past cases fill the statistics dashboard: four months, the demo's partner sites,
// rejections, sessions and ratings; seeding again adds nothing.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TestServer } from '../test-support/TestServer.js';
import type { StatsReport } from '../../protocol/http/stats.js';
import { seedDemoHistory } from './seed-demo-history.js';

let server: TestServer;
beforeAll(async () => {
  server = await TestServer.start({ seed: true });
}, 120_000);
afterAll(async () => server?.stop());

test('past cases and ratings show in the statistics, once', async () => {
  const seeded = await seedDemoHistory(server.app.services);
  expect(await seedDemoHistory(server.app.services)).toBe(0);
  const admin = await server.login('admin');
  const byMonth = (await admin.get('/api/stats?by=month')).json() as StatsReport;
  expect(byMonth.total.cases).toBe(seeded);
  expect(byMonth.groups.length).toBeGreaterThanOrEqual(4);
  expect(byMonth.total.rejected).toBeGreaterThan(0);
  expect(byMonth.total.session?.count).toBeGreaterThan(0);
  expect(byMonth.total.ratings.count).toBeGreaterThan(seeded / 2);
  const bySite = (await admin.get('/api/stats?by=site')).json() as StatsReport;
  expect(bySite.groups.map((g) => g.key).sort()).toEqual(['cixi', 'jiaojiang', 'ninghai', 'xingren']);
  // Every past case reads like a live one through the cases API.
  const list = (await (await server.login('clerk.cixi')).get('/api/cases?limit=200')).json();
  expect(list.total).toBeGreaterThan(0);
  expect((await server.app.services.verifyAudit()).valid).toBe(true);
});
