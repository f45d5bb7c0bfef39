// PAdES signing cross-checked with tools we did not write: three signers and a document
// timestamp on a Chromium-printed Chinese PDF, checked with pdfsig, openssl cms, openssl ts,
// qpdf, pdffonts and pdftotext, and with our own verifier.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatePem } from '../certs/encoding.js';
import { createTestPki, type TestPki } from '../certs/test-support/test-pki.js';
import { addDocumentTimestamp, addDss, signPdf, verifyPdf } from './index.js';
import { IncrementalUpdate } from './pdf/IncrementalUpdate.js';
import { PdfString, type PdfRef } from './pdf/objects.js';
import { PdfReader } from './pdf/PdfReader.js';
import {
  chromiumPdf,
  contractHtml,
  extractSignatures,
  nssDatabase,
  pdfsig,
  run,
  sealPng,
  tempDir,
} from './test-support/tools.js';

const FONT = readFileSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc');
const OIDS = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
};

let pki: TestPki;
let tmp: ReturnType<typeof tempDir>;
let nssdir: string;
let source: Buffer;
let final: Buffer;
const isPrefix = (a: Uint8Array, b: Uint8Array): boolean =>
  b.length > a.length && Buffer.from(b.subarray(0, a.length)).equals(Buffer.from(a));

beforeAll(async () => {
  const t0 = new Date();
  pki = await createTestPki({ clock: () => t0 });
  tmp = tempDir('pades');
  nssdir = nssDatabase(join(tmp.dir, 'nss'), pki.root.certificate);
  writeFileSync(join(tmp.dir, 'root.pem'), certificatePem(pki.root.certificate));
  writeFileSync(join(tmp.dir, 'tsa.pem'), certificatePem(pki.tsa.certificate));
  source = readFileSync(chromiumPdf(tmp.dir, 'contract', contractHtml(3)));

  const when = pki.clock();
  const s1 = await signPdf(source, {
    signer: pki.signer(pki.clerk),
    timeStamper: pki.timeStamper,
    level: 'B-T',
    signingTime: when,
    reason: '受理确认',
    location: '慈溪市政务服务办',
    certify: true,
    appearance: {
      page: 1,
      rect: [40, 40, 240, 80],
      font: FONT,
      image: sealPng(),
      texts: {
        name: '张三',
        role: '窗口工作人员',
        site: '慈溪市政务服务办',
        time: '2026-06-01 16:00',
        reason: '受理确认',
      },
    },
  });
  expect(isPrefix(source, s1)).toBe(true);
  const s2 = await signPdf(s1, {
    signer: pki.signer(pki.official),
    timeStamper: pki.timeStamper,
    level: 'B-T',
    signingTime: when,
    reason: '见证',
    appearance: {
      page: 1,
      rect: [300, 40, 240, 80],
      font: FONT,
      texts: { name: '李四', role: '见证人', site: '兴仁市政务服务中心', time: '2026-06-01 16:05' },
    },
  });
  expect(isPrefix(s1, s2)).toBe(true);
  const s3 = await signPdf(s2, {
    signer: pki.signer(pki.applicant),
    timeStamper: pki.timeStamper,
    level: 'B-T',
    signingTime: when,
    reason: '申请人签署',
  });
  expect(isPrefix(s2, s3)).toBe(true);
  const withDss = await addDss(s3, {
    certificates: [pki.clerk, pki.official, pki.applicant, pki.tsa].flatMap((c) => [c.certificate, ...pki.chainOf(c)]),
    crls: pki.crls(),
  });
  final = Buffer.from(await addDocumentTimestamp(withDss, pki.timeStamper));
  expect(isPrefix(withDss, final)).toBe(true);
  writeFileSync(join(tmp.dir, 'final.pdf'), final);
});

afterAll(() => tmp?.remove());

describe('three signers and a document timestamp', () => {
  it('pdfsig reports every CMS signature valid and trusted', () => {
    const sigs = pdfsig(nssdir, join(tmp.dir, 'final.pdf'));
    expect(sigs).toHaveLength(4);
    const cades = sigs.filter((s) => s.type === 'ETSI.CAdES.detached');
    expect(cades.map((s) => s.commonName)).toEqual(['张三', '李四', '王五']);
    for (const s of cades) {
      expect(s.signatureValidation).toBe('Signature is Valid.');
      expect(s.certificateValidation).toBe('Certificate is Trusted.');
    }
  });

  it('openssl cms accepts each signature over its ByteRange, with exactly the PAdES signed attributes', () => {
    const extracted = extractSignatures(final);
    expect(extracted).toHaveLength(4);
    extracted.slice(0, 3).forEach((sig, i) => {
      const der = join(tmp.dir, `sig${i}.der`);
      const content = join(tmp.dir, `sig${i}.bin`);
      writeFileSync(der, sig.der);
      writeFileSync(content, sig.signedBytes);
      const v = run('openssl', [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        der,
        '-content',
        content,
        '-CAfile',
        join(tmp.dir, 'root.pem'),
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      ]);
      expect(v.stderr).toContain('Verification successful');
      const printed = run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', der]).stdout;
      const signedAttrs = printed.slice(printed.indexOf('signedAttrs:'), printed.indexOf('unsignedAttrs:'));
      const oids = [...signedAttrs.matchAll(/object: .*\(([\d.]+)\)/g)].map((m) => m[1]);
      expect(oids).toEqual([OIDS.contentType, OIDS.messageDigest, OIDS.signingCertificateV2]);
      expect(printed).not.toContain('signingTime');
      expect(printed).toContain('1.2.840.113549.1.9.16.2.14');
    });
  });

  it('openssl ts accepts the document timestamp over its ByteRange', () => {
    const ts = extractSignatures(final)[3]!;
    writeFileSync(join(tmp.dir, 'doc-ts.der'), ts.der);
    writeFileSync(join(tmp.dir, 'doc-ts.bin'), ts.signedBytes);
    const r = run('openssl', [
      'ts',
      '-verify',
      '-data',
      join(tmp.dir, 'doc-ts.bin'),
      '-in',
      join(tmp.dir, 'doc-ts.der'),
      '-token_in',
      '-CAfile',
      join(tmp.dir, 'root.pem'),
      '-untrusted',
      join(tmp.dir, 'tsa.pem'),
    ]);
    expect(r.stdout).toContain('Verification: OK');
  });

  it('our verifier agrees: all intact, trusted, B-LTA, nothing modified after', () => {
    const report = verifyPdf(final, { trustAnchors: pki.trustAnchors, now: pki.clock() });
    expect(report.valid).toBe(true);
    expect(report.signatures.map((s) => s.level)).toEqual(['B-LTA', 'B-LTA', 'B-LTA', 'document-timestamp']);
    expect(report.signatures.map((s) => s.signer?.name)).toEqual(['张三', '李四', '王五', 'Tongban Platform TSA']);
    for (const s of report.signatures) {
      expect(s).toMatchObject({ intact: true, trusted: true, revoked: false, modifiedAfter: false });
      expect(s.timestamp?.valid).toBe(true);
    }
    expect(report.signatures.map((s) => s.coversWholeDocument)).toEqual([false, false, false, true]);
  });

  it('qpdf finds no errors, the CJK font is an embedded subset and the text extracts', () => {
    const check = run('qpdf', ['--check', join(tmp.dir, 'final.pdf')]);
    expect(check.status).toBe(0);
    const fonts = run('pdffonts', [join(tmp.dir, 'final.pdf')]).stdout;
    const cjk = fonts
      .split('\n')
      .filter((l) => /\+NotoSansCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/.test(l));
    expect(cjk.length).toBeGreaterThanOrEqual(2);
    const text = run('pdftotext', ['-f', '1', '-l', '1', join(tmp.dir, 'final.pdf'), '-']).stdout;
    expect(text).toContain('张三');
    expect(text).toContain('窗口工作人员 · 慈溪市政务服务办');
    expect(text).toContain('兴仁市政务服务中心');
  });

  it('a tampered byte makes our verifier and pdfsig say invalid', () => {
    const tampered = Buffer.from(final);
    const at = tampered.indexOf('stream', 2000, 'latin1') + 20;
    tampered[at] = tampered[at]! ^ 0x01;
    writeFileSync(join(tmp.dir, 'tampered.pdf'), tampered);
    const report = verifyPdf(tampered, { trustAnchors: pki.trustAnchors, now: pki.clock() });
    expect(report.valid).toBe(false);
    expect(report.signatures.every((s) => !s.intact)).toBe(true);
    const sigs = pdfsig(nssdir, join(tmp.dir, 'tampered.pdf')).filter((s) => s.type === 'ETSI.CAdES.detached');
    expect(sigs).toHaveLength(3);
    for (const s of sigs) expect(s.signatureValidation).not.toBe('Signature is Valid.');
  });

  it('flags a change after a certifying signature that is not a signature', () => {
    const reader = PdfReader.open(final);
    const update = new IncrementalUpdate(reader);
    const catalog = new Map(reader.catalog());
    catalog.set('Lang', PdfString.latin1('en'));
    update.set(reader.trailer.get('Root') as PdfRef, catalog);
    const report = verifyPdf(update.toBytes().bytes, { trustAnchors: pki.trustAnchors, now: pki.clock() });
    expect(report.valid).toBe(false);
    expect(report.signatures.every((s) => s.modifiedAfter && s.intact)).toBe(true);
  });
});

describe('levels', () => {
  it('B-B has no timestamp; B-LT adds a DSS; B-LTA adds a document timestamp', async () => {
    const base = {
      signer: pki.signer(pki.clerk),
      timeStamper: pki.timeStamper,
      signingTime: pki.clock(),
      validation: { certificates: [], crls: pki.crls() },
    };
    const levels = [];
    for (const level of ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const) {
      const out = await signPdf(source, { ...base, level });
      const report = verifyPdf(out, { trustAnchors: pki.trustAnchors, now: pki.clock() });
      expect(report.valid).toBe(true);
      levels.push(report.signatures.map((s) => `${s.level}:${s.timestamp ? 'ts' : '-'}`).join(','));
    }
    expect(levels).toEqual(['B-B:-', 'B-T:ts', 'B-LT:ts', 'B-LTA:ts,document-timestamp:ts']);
  });

  it('reports a revoked signer as revoked and the document as not valid', async () => {
    const out = await signPdf(source, { signer: pki.signer(pki.clerk), level: 'B-B', signingTime: pki.clock() });
    const crl = pki.crl('cixi', [
      { serial: pki.serialOf(pki.clerk), date: new Date(pki.clock().getTime() - 1000), reason: 'keyCompromise' },
    ]);
    const report = verifyPdf(out, { trustAnchors: pki.trustAnchors, crls: [crl], now: pki.clock() });
    expect(report.valid).toBe(false);
    expect(report.signatures[0]).toMatchObject({ intact: true, revoked: true });
  });
});
