// The audit log end to end: entries for every state change, search filters, sealed checkpoints,
// a restart that loses nothing, `tongban audit verify`, and tampering with the database by hand (the
// SQLite file; PostgreSQL in the PostgreSQL run) — an edited row, a deleted tail, a forged seal — named
// precisely.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../store/open-database.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import { verifyAuditLog } from './verify-audit.js';

let server: TestServer;
let xingren: HttpClient;
let auditor: HttpClient;
let caseId: string;

function cli(dataDir: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/tongban.cjs', 'audit', 'verify', '--data', dataDir], {
    encoding: 'utf8',
    cwd: process.cwd(),
    env: { ...process.env, ...server.cliEnv },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  server = await TestServer.start({ seed: true });
  xingren = await server.login('clerk.xingren');
  const cixi = await server.login('clerk.cixi');
  auditor = await server.login('auditor');
  const created = await xingren.post('/api/cases', {
    matterId: 'shebao-tingjiao',
    handlingSite: 'cixi',
    applicant: { name: '张三', idNumber: '522501199001011234' },
  });
  caseId = created.json().id;
  await cixi.post(`/api/cases/${caseId}/accept`);
});

afterAll(async () => server?.dispose());

test('state changes are in the log; auditors and admins search it by actor, action, target, time, page', async () => {
  const all = (await auditor.get(`/api/audit?target=case:${caseId}`)).json();
  expect(all.entries.map((e: { action: string }) => e.action)).toEqual([
    'case.created',
    'case.queued',
    'case.in_session',
  ]);
  expect(all.entries[0]).toMatchObject({ actor: 'user:clerk.xingren', siteId: 'xingren' });
  const logins = (await auditor.get('/api/audit?action=auth.login&actor=user:clerk.cixi')).json();
  expect(logins.total).toBe(1);
  const page = (await auditor.get('/api/audit?limit=2&offset=1')).json();
  expect(page.entries.map((e: { id: number }) => e.id)).toEqual([2, 3]);
  const future = (
    await auditor.get(`/api/audit?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)
  ).json();
  expect(future.entries).toEqual([]);
  // Each entry links to the previous one.
  expect(page.entries[1].prevHash).toBe(page.entries[0].hash);
});

test('checkpoints are sealed by the platform seal with a timestamp and verify', async () => {
  expect(await server.app.checkpointAudit()).toBeGreaterThan(0);
  expect(await server.app.checkpointAudit()).toBeNull(); // nothing new to seal
  const v = (await auditor.get('/api/audit/verification')).json();
  expect(v).toMatchObject({ valid: true, firstProblem: null, checkpoints: { count: 1, sealsVerified: 1 } });
});

test('a restart loses nothing: cases, sessions, logins, the audit chain; shutdown seals the head', async () => {
  const before = {
    case: (await xingren.get(`/api/cases/${caseId}`)).json(),
    users: (await server.app.services.users.list()).length,
    entries: (await server.app.services.audit.head())!.id,
  };
  server = await server.restart();
  const after = await xingren.get(`/api/cases/${caseId}`); // the old cookie still works
  expect(after.status).toBe(200);
  expect(after.json()).toEqual(before.case);
  const session = await xingren.get(`/api/sessions/${before.case.sessionId}`);
  expect(session.json().participants).toHaveLength(2);
  expect(await server.app.services.users.list()).toHaveLength(before.users);
  // server.stopped + the new server.started follow the old head, then the two reads above (data.read)
  expect((await server.app.services.audit.head())!.id).toBe(before.entries + 4);
  const v = await server.app.services.verifyAudit();
  expect(v).toMatchObject({ valid: true, checkpoints: { count: 2, sealsVerified: 2 } });
  const r = cli(server.dataDir);
  expect(r.stdout).toMatch(/OK/);
  expect(r.status).toBe(0);
});

test('editing one row of the database directly: verification names that entry', async () => {
  await server.stop();
  const raw = await openDatabase({ dataDir: server.dataDir, databaseUrl: server.databaseUrl });
  const victim = (await raw.get<{ id: number; details: string }>(
    `SELECT id, details FROM audit_log WHERE action = 'case.queued'`,
  ))!;
  await raw.run('UPDATE audit_log SET details = ? WHERE id = ?', [
    '{"from":"created","note":"nothing to see"}',
    victim.id,
  ]);

  const r = cli(server.dataDir);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain(`FAILED: first bad entry #${victim.id}: stored hash`);
  const v = await verifyAuditLog(raw);
  expect(v.valid).toBe(false);
  expect(v.firstProblem).toMatchObject({ kind: 'entry', id: victim.id });

  // Put it back, then cut the tail off: the chain alone looks fine, the sealed checkpoint does not.
  const fix = raw;
  await fix.run('UPDATE audit_log SET details = ? WHERE id = ?', [victim.details, victim.id]);
  expect(cli(server.dataDir).status).toBe(0);
  const last = (await fix.get<{ id: number }>('SELECT MAX(id) AS id FROM audit_log'))!.id;
  const tail = (await fix.get<Record<string, unknown>>('SELECT * FROM audit_log WHERE id = ?', [last]))!;
  await fix.run('DELETE FROM audit_log WHERE id = ?', [last]);
  const cut = cli(server.dataDir);
  expect(cut.status).toBe(1);
  expect(cut.stdout).toMatch(
    new RegExp(`first bad checkpoint #\\d+: names entry ${last}, which the log no longer has`),
  );
  await fix.run(
    'INSERT INTO audit_log (id, at, actor, action, target, site_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ['id', 'at', 'actor', 'action', 'target', 'site_id', 'details', 'prev_hash', 'hash'].map((k) => tail[k]),
  );

  // A checkpoint whose seal bytes were altered.
  const cp = (await fix.get<{ id: number; signature: Buffer }>(
    'SELECT id, signature FROM audit_checkpoints ORDER BY id LIMIT 1',
  ))!;
  const forged = Buffer.from(cp.signature);
  forged[forged.length - 40] = forged[forged.length - 40]! ^ 0xff;
  await fix.run('UPDATE audit_checkpoints SET signature = ? WHERE id = ?', [forged, cp.id]);
  await fix.close();
  const sealed = cli(server.dataDir);
  expect(sealed.status).toBe(1);
  expect(sealed.stdout).toMatch(new RegExp(`first bad checkpoint #${cp.id}: `));
  server = await TestServer.start({ dataDir: server.dataDir });
});
