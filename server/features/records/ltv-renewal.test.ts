// Long-term validation renewal (issue 16 §5): an archived agreement whose document timestamp's TSA
// certificate nears its end (the clock moved to 60 days before it, margin 90) gets a DSS with fresh
// CRLs and a new document timestamp from a TSA certificate that outlives the margin; then a hash
// declared weakening brings a second renewal with a stronger hash. Each renewed PDF is checked by
// our verifier, by pdfsig (poppler) and by openssl (ts -verify against the signed bytes, cms
// -verify): they agree, the earlier signatures stay valid and untouched (the old revision is a
// prefix of the new one), the old revision is kept, the record lists the renewals, and each one
// is audited as record.ltv_renewed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { extractSignatures, run, tempDir } from '../../../signing/test-support/tools.js';
import { parseCrl } from '../../../certs/crl.js';
import { PdfReader } from '../../../signing/pdf/PdfReader.js';
import { lastTimestamp } from '../../../signing/sign/ltv-renewal.js';
import { dssMaterial, verifyPdf } from '../../../signing/verify/verify-pdf.js';
import { archivedCeremony, type ArchivedCeremony } from '../../test-support/archived-ceremony.js';
import { pdfsig } from '../../test-support/flow-fixtures.js';
import { TestServer } from '../../test-support/TestServer.js';
import { LtvRenewer } from './index.js';

const DAY_MS = 86_400_000;
let offsetMs = 0;
let server: TestServer;
let rec: ArchivedCeremony;
const tmp = tempDir('ltv');

beforeAll(async () => {
  server = await TestServer.start({
    seed: true,
    record: true,
    clock: () => new Date(Date.now() + offsetMs),
    limits: { ltvRenewalMarginDays: 90 },
  });
  rec = await archivedCeremony(server);
});

afterAll(async () => {
  tmp.remove();
  await server?.dispose();
});

const currentPdf = async () => {
  const { documents, blobs } = server.app.services;
  return blobs.get((await documents.get(rec.documentId)).currentSha256);
};

/** openssl's view of one time-stamp token over the bytes its ByteRange covers. */
function openssl(name: string, token: Buffer, signed: Buffer, at: Date) {
  const file = (f: string) => join(tmp.dir, `${name}-${f}`);
  writeFileSync(file('token.der'), token);
  writeFileSync(file('signed.bin'), signed);
  writeFileSync(join(tmp.dir, 'root.pem'), server.rootPem);
  const attime = String(Math.floor(at.getTime() / 1000) + 1);
  const ts = run('openssl', [
    'ts',
    '-verify',
    '-in',
    file('token.der'),
    '-token_in',
    '-data',
    file('signed.bin'),
    '-CAfile',
    join(tmp.dir, 'root.pem'),
    '-attime',
    attime,
  ]);
  const cms = run('openssl', [
    'cms',
    '-verify',
    '-inform',
    'DER',
    '-in',
    file('token.der'),
    '-CAfile',
    join(tmp.dir, 'root.pem'),
    '-purpose',
    'any',
    '-attime',
    attime,
    '-out',
    file('tstinfo.der'),
  ]);
  const text = run('openssl', ['ts', '-reply', '-in', file('token.der'), '-token_in', '-text']).stdout;
  // Both print "Using configuration from …" too: keep the verdict lines.
  const verdict = (out: string) =>
    out
      .split('\n')
      .find((l) => /Verification|verif/i.test(l))
      ?.trim();
  return { ts: verdict(`${ts.stdout}${ts.stderr}`), cms: verdict(cms.stderr), text };
}

/** Our verifier, pdfsig and openssl on a renewed PDF: returns what they agree on. */
async function checkEverywhere(pdf: Buffer, label: string) {
  const pki = server.app.services.pki;
  const ours = verifyPdf(pdf, { trustAnchors: await pki.trustAnchors(), now: server.app.services.clock() });
  expect(ours.valid, JSON.stringify(ours.signatures.map((s) => s.problems))).toBe(true);
  const poppler = pdfsig(pdf, server.rootPem).output;
  const extracted = extractSignatures(pdf);
  expect(extracted).toHaveLength(ours.signatures.length);
  const timestamps = ours.signatures.flatMap((s, i) =>
    s.level === 'document-timestamp' ? [{ index: i, time: new Date(s.timestamp!.time) }] : [],
  );
  const tools = timestamps.map((t) =>
    openssl(`${label}-${t.index}`, extracted[t.index]!.der, extracted[t.index]!.signedBytes, t.time),
  );
  return { ours, poppler, tools };
}

describe('LTV renewal', () => {
  let firstRenewed: Buffer;

  test('not due: nothing renewed while the TSA certificate is far from its end', async () => {
    expect(await server.app.services.ltv.run()).toEqual([]);
  });

  test('the TSA certificate 60 days from its end (margin 90): a fresh DSS and document timestamp', async () => {
    const { ltv, blobs, audit, documents } = server.app.services;
    const before = await currentPdf();
    const last = lastTimestamp(before)!;
    expect(last).toMatchObject({
      kind: 'document-timestamp',
      digest: 'SHA-256',
      tsa: { name: 'Tongban Platform TSA' },
    });
    offsetMs = Date.parse(last.tsa!.notAfter) - 60 * DAY_MS - Date.now();

    const made = await ltv.run();
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      documentId: rec.documentId,
      reason: 'tsa_certificate_expiring',
      tsa: 'Tongban Platform TSA',
      digest: 'SHA-256',
    });
    expect((await documents.get(rec.documentId)).currentSha256).toBe(made[0]!.sha256);
    const after = await currentPdf();
    firstRenewed = after;
    // Incremental: the archived revision is untouched at the start of the new one, and kept as a blob.
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect((await blobs.get(made[0]!.previousSha256)).equals(before)).toBe(true);
    // The DSS now carries revocation data issued at the renewal (the CAs' current CRLs), not only the archived ones.
    const issued = (pdf: Buffer) => dssMaterial(PdfReader.open(pdf)).crls.map((c) => parseCrl(c).thisUpdate.getTime());
    expect(Math.max(...issued(after))).toBeGreaterThan(Math.max(...issued(before)) + 365 * DAY_MS);
    const fresh = lastTimestamp(after)!;
    expect(Date.parse(fresh.tsa!.notAfter)).toBeGreaterThan(server.app.services.clock().getTime() + 90 * DAY_MS);
    expect(fresh.tsa!.notAfter).not.toBe(last.tsa!.notAfter);

    const { ours, poppler, tools } = await checkEverywhere(after, 'first');
    expect(ours.signatures.map((s) => s.level)).toEqual(['B-LTA', 'B-LTA', 'document-timestamp', 'document-timestamp']);
    expect(ours.signatures.every((s) => s.intact && s.trusted && !s.revoked && !s.modifiedAfter)).toBe(true);
    // pdfsig: the two signatures stay valid and trusted; both document timestamps are listed,
    // the last one over the whole file (poppler 22.12 does not validate that type: openssl does).
    expect(poppler.match(/Signature #\d/g)).toHaveLength(4);
    expect(poppler.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(poppler.match(/Certificate Validation: Certificate is Trusted\./g)).toHaveLength(2);
    const last4 = poppler.split('Signature #4:')[1] ?? '';
    expect(last4).toMatch(/Signer Certificate Common Name: Tongban Platform TSA/);
    expect(last4).toMatch(/Total document signed/);
    expect(poppler.split('Signature #3:')[1]?.split('Signature #4:')[0]).not.toMatch(/Total document signed/);
    // openssl: both document timestamps verify against the bytes they cover, chain to our root.
    expect(tools.map((t) => t.ts)).toEqual(['Verification: OK', 'Verification: OK']);
    expect(tools.map((t) => t.cms)).toEqual(['CMS Verification successful', 'CMS Verification successful']);
    expect(tools[1]!.text).toMatch(/Hash Algorithm: sha256/);

    const auditor = await server.login('auditor');
    const history = (await auditor.get(`/api/records/${rec.recordId}/ltv-renewals`)).json().renewals;
    expect(history).toEqual(made);
    const entries = (
      await audit.list({ action: 'record.ltv_renewed', target: `record:${rec.recordId}`, limit: 5, offset: 0 })
    ).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: 'system',
      details: {
        document: rec.documentId,
        reason: 'tsa_certificate_expiring',
        sha256: made[0]!.sha256,
        replacedTimestamp: { tsaNotAfter: last.tsa!.notAfter },
      },
    });
    // The record's report reads the renewed revision.
    const report = (await auditor.get(`/api/records/${rec.recordId}`)).json();
    expect(report.documents[0]).toMatchObject({ sha256: made[0]!.sha256, verification: { valid: true } });
    // Renewed, it is not due again.
    expect(await ltv.run()).toEqual([]);
  });

  test('a hash declared weakening within the margin: renewed again with a stronger one (SHA-384)', async () => {
    const services = server.app.services;
    const endsAt = new Date(services.clock().getTime() + 30 * DAY_MS).toISOString().slice(0, 10);
    const renewer = new LtvRenewer({
      ...services,
      marginDays: 90,
      weakening: [{ algorithm: 'SHA-256', endsAt }],
    });
    const made = await renewer.run();
    expect(made.map((r) => [r.reason, r.digest])).toEqual([['algorithm_weakening', 'SHA-384']]);
    const after = await currentPdf();
    expect(after.subarray(0, firstRenewed.length).equals(firstRenewed)).toBe(true);
    const { ours, poppler, tools } = await checkEverywhere(after, 'second');
    expect(ours.signatures.map((s) => s.level)).toEqual([
      'B-LTA',
      'B-LTA',
      'document-timestamp',
      'document-timestamp',
      'document-timestamp',
    ]);
    expect(poppler.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(tools.map((t) => t.ts)).toEqual(['Verification: OK', 'Verification: OK', 'Verification: OK']);
    expect(tools[2]!.text).toMatch(/Hash Algorithm: sha384/);
    expect(await renewer.run()).toEqual([]);
    const history = (await (await server.login('auditor')).get(`/api/records/${rec.recordId}/ltv-renewals`)).json()
      .renewals;
    expect(history.map((r: { reason: string }) => r.reason)).toEqual([
      'tsa_certificate_expiring',
      'algorithm_weakening',
    ]);
  });
});
