// Our CMS is DER end to end (issue 12 §8): a PAdES B-LTA file's signature (with its signature
// timestamp) and its document timestamp, and a detached CMS seal (recording manifests, audit
// checkpoints, evidence packages), pass a strict DER check, and asn1crypto — the parser of
// endesive-style validators — reads every time-stamp token in them.
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../certs/oids.js';
import { asn1cryptoRead } from '../certs/test-support/asn1crypto.js';
import { derProblems } from '../certs/test-support/der-check.js';
import { createTestPki, type TestPki } from '../certs/test-support/test-pki.js';
import { createDetachedCms } from './cms/create-cms.js';
import { signPdf, verifyPdf } from './index.js';
import { extractSignatures } from './test-support/tools.js';

const now = new Date('2026-06-01T08:00:00Z');
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki({ clock: () => now });
});

describe('CMS and time-stamp tokens in DER', () => {
  it('a B-LTA PDF: the signature and the document timestamp are DER and asn1crypto reads their tokens', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([595, 842]);
    const source = Buffer.from(await doc.save({ useObjectStreams: false }));
    const signed = await signPdf(source, {
      signer: pki.signer(pki.clerk),
      timeStamper: pki.timeStamper,
      signingTime: now,
      level: 'B-LTA',
      validation: { certificates: [], crls: pki.crls() },
    });
    expect(verifyPdf(signed, { trustAnchors: pki.trustAnchors, now }).valid).toBe(true);
    const [signature, docTimestamp] = extractSignatures(Buffer.from(signed));
    expect(signature && docTimestamp).toBeTruthy();
    expect(derProblems(signature!.der)).toEqual([]);
    expect(derProblems(docTimestamp!.der)).toEqual([]);
    const fromSignature = asn1cryptoRead('signature', signature!.der);
    expect(fromSignature.tokens).toHaveLength(1);
    expect(fromSignature.tokens[0]).toMatchObject({
      eContentType: OID.tstInfo,
      tstInfo: 'TSTInfo',
      genTime: '2026-06-01T08:00:00+00:00',
    });
    const fromDocTimestamp = asn1cryptoRead('token', docTimestamp!.der);
    const docDigest = createHash('sha256').update(docTimestamp!.signedBytes).digest('hex');
    expect(fromDocTimestamp).toMatchObject({ tokens: [{ tstInfo: 'TSTInfo', hashedMessage: docDigest }] });
  });

  it('a detached CMS seal with a signature timestamp is DER and asn1crypto reads its token', async () => {
    const cms = await createDetachedCms(new TextEncoder().encode('SHA256SUMS'), pki.signer(pki.seal), {
      timeStamper: pki.timeStamper,
    });
    expect(derProblems(cms)).toEqual([]);
    const read = asn1cryptoRead('signature', cms);
    expect(read.tokens.map((t) => t.tstInfo)).toEqual(['TSTInfo']);
  });
});
