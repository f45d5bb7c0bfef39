// A whole server node on PostgreSQL (issue 14 §1): the app's every store on the shared database, not
// the data directory's SQLite file — seeded, a case created, accepted and joined by the applicant
// through the HTTP API, the audit chain verified, and everything still there after a restart.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { emptyPostgresDatabase } from '../test-support/databases.js';
import { TestServer } from '../test-support/TestServer.js';

let database: { url: string; drop: () => Promise<void> };
let server: TestServer;

beforeAll(async () => {
  database = await emptyPostgresDatabase();
  server = await TestServer.start({ seed: true, databaseUrl: database.url });
}, 120_000);

afterAll(async () => {
  await server?.dispose();
  await database?.drop();
});

test('the node keeps its metadata in PostgreSQL: a case from creation to the applicant joining, audited', async () => {
  expect(server.app.services.db.dialect).toBe('postgres');
  expect(existsSync(join(server.dataDir, 'tongban.sqlite'))).toBe(false);
  const [xingren, cixi] = await Promise.all([server.login('clerk.xingren'), server.login('clerk.cixi')]);
  const created = await xingren.post('/api/cases', {
    matterId: 'shebao-tingjiao',
    handlingSite: 'cixi',
    applicant: { name: '吴十', idNumber: '522501199606061234' },
  });
  expect(created.status).toBe(201);
  const { id } = created.json<{ id: string }>();
  expect((await cixi.post(`/api/cases/${id}/accept`)).status).toBe(200);
  const invitation = (await cixi.post(`/api/cases/${id}/invitations`)).json<{ code: string }>();
  const guest = server.client();
  expect((await guest.post('/api/join', { code: invitation.code })).status).toBe(200);
  // The code is spent once, on any node: a second use is refused.
  expect((await server.client().post('/api/join', { code: invitation.code })).status).not.toBe(200);
  const detail = (await cixi.get(`/api/cases/${id}`)).json<{ status: string }>();
  expect(detail.status).toBe('in_session');

  const auditor = await server.login('auditor');
  const verified = (await auditor.get('/api/audit/verification')).json<{ valid: boolean; entries: number }>();
  console.log(`postgres node: audit chain ${JSON.stringify(verified)}`);
  expect(verified.valid).toBe(true);

  server = await server.restart();
  const again = await (await server.login('clerk.cixi')).get(`/api/cases/${id}`);
  expect(again.json<{ status: string }>().status).toBe('in_session');
});
