// Batch verification of a search result (issue 16 §3) against a real server: three signed and
// archived ceremonies, the recording of one damaged on disk. The auditor verifies a search result
// as a job, reads the rows (the record page's own checks), downloads the CSV (UTF-8 with BOM, the
// documented columns), and the audit log has both ends of the job. Refusals: other roles 403, no
// login 401, bad filters 400, a result over the limit 409 too_many_records, the CSV of a running job
// 409 verification_not_ready, a second job while one runs 429, another's or an unknown job 404.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordVerificationJob } from '../../../protocol/http/records.js';
import { AppError } from '../../kernel/errors.js';
import type { UserPrincipal } from '../../kernel/principal.js';
import { archivedCeremony } from '../../test-support/archived-ceremony.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import { CSV_COLUMNS } from './index.js';

let server: TestServer;
let auditor: HttpClient;
const records: { id: string; number: string; archivedAt: string; sessionId: string }[] = [];

async function archivedRecord(): Promise<void> {
  const { recordId, sessionId } = await archivedCeremony(server);
  const record = (await auditor.get(`/api/records/${recordId}`)).json().record;
  records.push({ id: record.id, number: record.number, archivedAt: record.archivedAt, sessionId });
}

async function finished(client: HttpClient, id: string): Promise<RecordVerificationJob> {
  for (;;) {
    const job = (await client.get(`/api/record-verifications/${id}`)).json() as RecordVerificationJob;
    if (job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  // At most three records per batch: the fourth makes the unfiltered search too large.
  server = await TestServer.start({ seed: true, record: true, limits: { batchVerifyMaxRecords: 3 } });
  auditor = await server.login('auditor');
  for (let i = 0; i < 4; i++) await archivedRecord();
  // The second record's recording: one segment changed on disk after sealing.
  const dir = (await server.app.services.recording.directory(records[1]!.sessionId))!;
  const segmentDir = join(dir, 'guest_applicant');
  writeFileSync(join(segmentDir, readdirSync(segmentDir).sort()[0]!), 'changed after sealing');
}, 180_000);

afterAll(async () => server?.dispose());

describe('batch verification of a search result', () => {
  it('verifies every record of the result as a job, rows as the record page checks them, audited', async () => {
    // The three newest: archived from the second record on.
    const started = await auditor.post('/api/record-verifications', { from: records[1]!.archivedAt });
    expect(started.status).toBe(202);
    expect(started.json()).toMatchObject({ total: 3, status: 'running' });
    const job = await finished(auditor, started.json().id);
    expect(job).toMatchObject({ status: 'done', total: 3, checked: 3, error: null });
    const byNumber = new Map(job.rows.map((r) => [r.number, r]));
    expect([...byNumber.keys()].sort()).toEqual(
      records
        .slice(1)
        .map((r) => r.number)
        .sort(),
    );
    for (const r of [records[2]!, records[3]!])
      expect(byNumber.get(r.number)).toMatchObject({
        recordId: r.id,
        kind: 'ceremony',
        documents: 1,
        // The two officials' signatures and the document timestamp added on completion.
        signatures: 3,
        signaturesValid: true,
        recording: 'valid',
        valid: true,
        problems: [],
      });
    const damaged = byNumber.get(records[1]!.number)!;
    expect(damaged).toMatchObject({ signaturesValid: true, recording: 'invalid', valid: false });
    expect(damaged.problems.join('\n')).toMatch(/^recording: /m);
    // The record page shows the same verdicts.
    const page = (await auditor.get(`/api/records/${records[1]!.id}`)).json();
    expect(page.recording.valid).toBe(false);
    expect(page.documents[0].verification.valid).toBe(true);

    const audit = async (action: string) =>
      (await server.app.services.audit.list({ action, target: `record-verification:${job.id}`, limit: 5, offset: 0 }))
        .entries;
    expect(await audit('record.batch_verify_started')).toHaveLength(1);
    expect((await audit('record.batch_verify_started'))[0]).toMatchObject({
      actor: expect.stringMatching(/^user:/),
      details: { records: 3, filters: { from: records[1]!.archivedAt } },
    });
    expect((await audit('record.batch_verified'))[0]).toMatchObject({
      details: { status: 'done', records: 3, valid: 2, invalid: 1 },
    });

    const csv = await auditor.get(`/api/record-verifications/${job.id}/results.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="record-verification-.*\.csv"$/);
    expect([...csv.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text.slice(1).split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 3 + 1);
    const damagedLine = lines.find((l) => l.startsWith(`${records[1]!.number},`))!;
    expect(damagedLine).toMatch(/^[^,]+,ceremony,宁海–椒江 通办合作协议,[^,]+,1,3,true,invalid,invalid,"?recording: /);
    expect(lines.filter((l) => /,valid,valid,$/.test(l))).toHaveLength(2);
  });

  it('refuses other roles (403), no login (401), bad filters (400) and a result over the limit (409)', async () => {
    for (const username of ['admin', 'clerk.ninghai', 'official.ninghai']) {
      const client = await server.login(username);
      const r = await client.post('/api/record-verifications', {});
      expect([username, r.status, r.json().error.code]).toEqual([username, 403, 'forbidden']);
    }
    const anonymous = await server.client();
    const r401 = await anonymous.post('/api/record-verifications', {});
    expect([r401.status, r401.json().error.code]).toEqual([401, 'unauthenticated']);
    for (const body of [{ site: 'Not A Slug' }, { from: 'yesterday' }, { limit: 5 }, { colour: 'red' }]) {
      const bad = await auditor.post('/api/record-verifications', body);
      expect([JSON.stringify(body), bad.status, bad.json().error.code]).toEqual([
        JSON.stringify(body),
        400,
        'invalid_request',
      ]);
    }
    const tooMany = await auditor.post('/api/record-verifications', {});
    expect([tooMany.status, tooMany.json().error.code]).toEqual([409, 'too_many_records']);
    expect(tooMany.json().error.message).toMatch(/finds 4 records; at most 3/);
    const unknown = await auditor.get('/api/record-verifications/00000000-0000-4000-8000-000000000000');
    expect([unknown.status, unknown.json().error.code]).toEqual([404, 'not_found']);
    const notUuid = await auditor.get('/api/record-verifications/nope/results.csv');
    expect([notUuid.status, notUuid.json().error.code]).toEqual([400, 'invalid_request']);
  });

  it('a running job: its CSV is 409 verification_not_ready, a second job 429; another user cannot read it (404)', async () => {
    const who = (await auditor.get('/api/me')).json();
    const me: UserPrincipal = { ...who, kind: 'user', userId: who.id, siteId: null };
    const service = server.app.services.recordVerifications;
    // Started in process so that nothing can run between the start and the checks: the job has not begun yet.
    const job = await service.start(me, { q: records[0]!.number });
    const refusal = async (fn: () => unknown) => {
      try {
        await fn();
      } catch (err) {
        return err instanceof AppError ? [err.status, err.code] : err;
      }
      return 'no refusal';
    };
    expect(await refusal(() => service.csv(me, job.id))).toEqual([409, 'verification_not_ready']);
    expect(await refusal(() => service.start(me, {}))).toEqual([429, 'rate_limited']);
    expect((await finished(auditor, job.id)).rows.map((r) => r.number)).toEqual([records[0]!.number]);
    const other = { ...me, userId: 'someone.else' };
    expect(await refusal(() => service.job(other, job.id))).toEqual([404, 'not_found']);
  });
});
