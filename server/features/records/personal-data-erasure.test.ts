// A deleted record's case keeps its rating's level (statistics) but loses the applicant's comment.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { seedDemoHistory } from '../../demo/seed-demo-history.js';
import { TestServer } from '../../test-support/TestServer.js';
import { erasePersonalData } from './personal-data-erasure.js';
import type { RecordRow } from './record-store.js';

let server: TestServer;
beforeAll(async () => {
  server = await TestServer.start({ seed: true });
}, 120_000);
afterAll(async () => server?.stop());

test('erasing a case record clears its rating comment and keeps the level', () => {
  seedDemoHistory(server.app.services);
  const { db } = server.app.services;
  const rated = db.sql
    .prepare('SELECT case_id AS caseId, score FROM ratings WHERE comment IS NOT NULL LIMIT 2')
    .all() as { caseId: string; score: number }[];
  expect(rated).toHaveLength(2);
  const [erased, kept] = rated as [(typeof rated)[0], (typeof rated)[0]];
  const record = {
    id: 'record-of-test',
    number: 'T-1',
    caseId: erased.caseId,
    sessionId: null,
  } as unknown as RecordRow;
  db.transaction(() => erasePersonalData(db, record));
  const row = (caseId: string) =>
    db.sql.prepare('SELECT score, comment FROM ratings WHERE case_id = ?').get(caseId) as {
      score: number;
      comment: string | null;
    };
  expect(row(erased.caseId)).toEqual({ score: erased.score, comment: null });
  expect(row(kept.caseId).comment).not.toBeNull();
});
