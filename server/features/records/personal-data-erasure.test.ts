// A deleted record's case keeps its rating's level (statistics) but loses the applicant's comment,
// and what OCR read off the applicant's ID card (the checks' pass/fail stay).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { seedDemoHistory } from '../../demo/seed-demo-history.js';
import { fictionalPerson } from '../../test-support/id-card.js';
import { openCaseWithGuest } from '../../test-support/live-room.js';
import { TestServer } from '../../test-support/TestServer.js';
import { erasePersonalData } from './personal-data-erasure.js';
import type { RecordRow } from './record-store.js';

let server: TestServer;
beforeAll(async () => {
  server = await TestServer.start({ seed: true });
}, 120_000);
afterAll(async () => server?.stop());

test('erasing a case record clears its rating comment and keeps the level', async () => {
  await seedDemoHistory(server.app.services);
  const { db } = server.app.services;
  const rated = await db.all<{ caseId: string; score: number }>(
    'SELECT case_id AS "caseId", score FROM ratings WHERE comment IS NOT NULL ORDER BY case_id LIMIT 2',
  );
  expect(rated).toHaveLength(2);
  const [erased, kept] = rated as [(typeof rated)[0], (typeof rated)[0]];
  const record = {
    id: 'record-of-test',
    number: 'T-1',
    caseId: erased.caseId,
    sessionId: null,
  } as unknown as RecordRow;
  await db.transaction(() => erasePersonalData(db, record), 'immediate');
  const row = async (caseId: string) =>
    (await db.get<{ score: number; comment: string | null }>('SELECT score, comment FROM ratings WHERE case_id = ?', [
      caseId,
    ]))!;
  expect(await row(erased.caseId)).toEqual({ score: erased.score, comment: null });
  expect((await row(kept.caseId)).comment).not.toBeNull();
});

test("erasing a case record blanks the fields OCR read off the applicant's ID card; the checks stay", async () => {
  const { db, idChecks } = server.app.services;
  const [xingren, cixi] = await Promise.all([server.login('clerk.xingren'), server.login('clerk.cixi')]);
  const { name, idNumber } = fictionalPerson;
  const live = await openCaseWithGuest(server, { xingren, cixi }, { name, idNumber });
  // An ID read as IdCheckService stores it (the OCR itself needs a recorded session: id-check.test.ts).
  const snapshot = randomUUID();
  await db.run(
    `INSERT INTO snapshots (id, case_id, session_id, kind, media_type, sha256, bytes, offset_ms, taken_by, taken_at)
     VALUES (?, ?, ?, 'id', 'image/jpeg', ?, 1, 1000, 'clerk.cixi', ?)`,
    [snapshot, live.id, live.sessionId, '0'.repeat(64), new Date().toISOString()],
  );
  const read = (value: string) => ({ value, confidence: 90 });
  const fields = {
    name: read(fictionalPerson.name),
    birth: read(fictionalPerson.birth),
    address: read(fictionalPerson.address.join('')),
    idNumber: read('3302**********1231'),
  };
  const checks = {
    checksum: 'pass',
    matchesApplicant: 'pass',
    nameMatches: 'pass',
    birthMatches: 'pass',
    sexMatches: 'unread',
    validity: 'unread',
    validityState: 'unread',
  };
  await db.run(
    `INSERT INTO id_reads (id, case_id, session_id, snapshot_id, side, fields_json, checks_json, engine, elapsed_ms,
       read_by, read_at) VALUES (?, ?, ?, ?, 'front', ?, ?, 'tesseract 5', 5000, 'clerk.cixi', ?)`,
    [
      randomUUID(),
      live.id,
      live.sessionId,
      snapshot,
      JSON.stringify(fields),
      JSON.stringify(checks),
      '2026-11-30T15:00:00Z',
    ],
  );
  expect((await idChecks.check(live.id))!.fields).toEqual(fields);

  const record = { id: 'record-of-id-test', number: 'T-2', caseId: live.id, sessionId: live.sessionId };
  await db.transaction(() => erasePersonalData(db, record as unknown as RecordRow), 'immediate');
  const raw = await db.all('SELECT fields_json AS f, checks_json AS c FROM id_reads WHERE case_id = ?', [live.id]);
  expect(raw).toEqual([{ f: '{}', c: JSON.stringify(checks) }]);
  const after = (await idChecks.check(live.id))!;
  expect(after.fields).toEqual({});
  expect(after.front).toMatchObject({ fields: {}, checks });
  for (const text of [fictionalPerson.name, '新城大道', '1231']) expect(JSON.stringify(after)).not.toContain(text);
});
