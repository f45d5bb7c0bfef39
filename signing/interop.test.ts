// Inputs made by tools we did not write: a ~40-page Chromium print, the same file rewritten by
// qpdf with object streams and xref streams, and a file first signed by pdfsig from an NSS
// database holding a PKCS#12 built with node-forge.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { PDFDict, PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../certs/test-support/test-pki.js';
import { signPdf, verifyPdf } from './index.js';
import { PdfReader } from './pdf/PdfReader.js';
import { chromiumPdf, contractHtml, nssDatabase, pdfsig, run, tempDir } from './test-support/tools.js';

const FONT = readFileSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc');

let pki: TestPki;
let tmp: ReturnType<typeof tempDir>;
let nssdir: string;
let long: string;
let thirdPartyCa: Uint8Array;

/** A self-signed CA and a signer under it, as PKCS#12 (node-forge), imported into an NSS database. */
function thirdPartyNss(dir: string): { nssdir: string; ca: Uint8Array } {
  const pem = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
    k.export({ type: 'pkcs8', format: 'pem' }).toString();
  const make = (cn: string, isCa: boolean, issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }) => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    cert.serialNumber = isCa ? '01' : '02';
    cert.validity.notBefore = new Date(Date.now() - 3_600_000);
    cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
    cert.setSubject([
      { name: 'commonName', value: cn },
      { name: 'organizationName', value: 'Third Party' },
    ]);
    cert.setIssuer(issuer ? issuer.cert.subject.attributes : cert.subject.attributes);
    cert.setExtensions(
      isCa
        ? [
            { name: 'basicConstraints', cA: true, critical: true },
            { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
          ]
        : [
            { name: 'basicConstraints', cA: false },
            { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
          ],
    );
    const key = forge.pki.privateKeyFromPem(pem(privateKey));
    cert.sign(issuer?.key ?? key, forge.md.sha256.create());
    return { cert, key };
  };
  const ca = make('Third Party Root', true);
  const leaf = make('Third Party Signer', false, ca);
  const p12 = forge.pkcs12.toPkcs12Asn1(leaf.key, [leaf.cert, ca.cert], 'pw', {
    algorithm: '3des',
    friendlyName: 'thirdparty',
  });
  writeFileSync(join(dir, 'third.p12'), Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  const caDer = new Uint8Array(
    Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(ca.cert)).getBytes(), 'binary'),
  );
  const db = nssDatabase(join(dir, 'nss-third'), caDer);
  const imported = run('pk12util', ['-i', join(dir, 'third.p12'), '-d', db, '-W', 'pw', '-K', '']);
  if (imported.status !== 0) throw new Error(`pk12util failed: ${imported.stderr}`);
  return { nssdir: db, ca: caDer };
}

beforeAll(async () => {
  const t0 = new Date();
  pki = await createTestPki({ clock: () => t0 });
  tmp = tempDir('interop');
  nssdir = nssDatabase(join(tmp.dir, 'nss'), pki.root.certificate);
  long = chromiumPdf(tmp.dir, 'long', contractHtml(40));
});

afterAll(() => tmp?.remove());

const signOptions = () => ({
  signer: pki.signer(pki.clerk),
  timeStamper: pki.timeStamper,
  level: 'B-T' as const,
  signingTime: pki.clock(),
  appearance: {
    page: 40,
    rect: [40, 40, 220, 70] as [number, number, number, number],
    font: FONT,
    texts: { name: '张三', role: '窗口工作人员', site: '慈溪市政务服务办' },
  },
});

describe('real-world inputs', () => {
  it('signs a ~40-page Chromium PDF and its qpdf object-stream rewrite, keeping the xref kind', async () => {
    const objstm = join(tmp.dir, 'long-objstm.pdf');
    expect(run('qpdf', ['--object-streams=generate', long, objstm]).status).toBe(0);
    for (const file of [long, objstm]) {
      const input = readFileSync(file);
      const before = PdfReader.open(input);
      expect(before.pageCount()).toBeGreaterThanOrEqual(40);
      const out = Buffer.from(await signPdf(input, signOptions()));
      expect(out.subarray(0, input.length).equals(input)).toBe(true);
      const after = PdfReader.open(out);
      expect(after.sections[0]!.kind).toBe(before.sections[0]!.kind);
      expect(after.sections[0]!.trailer.get('Prev')).toBe(before.startxref);
      const signedFile = `${file}.signed.pdf`;
      writeFileSync(signedFile, out);
      expect(pdfsig(nssdir, signedFile).map((s) => [s.signatureValidation, s.certificateValidation])).toEqual([
        ['Signature is Valid.', 'Certificate is Trusted.'],
      ]);
      expect(run('qpdf', ['--check', signedFile]).status).toBe(0);
      expect(verifyPdf(out, { trustAnchors: pki.trustAnchors, now: pki.clock() }).valid).toBe(true);
    }
    expect(PdfReader.open(readFileSync(objstm)).sections[0]!.kind).toBe('stream');
  });

  it('signs after a third-party pdfsig signature; both stay valid and the third party is reported untrusted', async () => {
    const third = thirdPartyNss(tmp.dir);
    thirdPartyCa = third.ca;
    const first = join(tmp.dir, 'third-signed.pdf');
    const added = run('pdfsig', [
      '-nssdir',
      third.nssdir,
      '-add-signature',
      '-nick',
      'thirdparty',
      '-kpw',
      'pw',
      long,
      first,
    ]);
    expect(readFileSync(first).length).toBeGreaterThan(readFileSync(long).length);
    expect(added.stdout + added.stderr).not.toMatch(/error/i);
    const input = readFileSync(first);
    const out = Buffer.from(await signPdf(input, signOptions()));
    expect(out.subarray(0, input.length).equals(input)).toBe(true);
    const both = join(tmp.dir, 'third-then-ours.pdf');
    writeFileSync(both, out);

    const sigs = pdfsig(nssdir, both);
    expect(sigs.map((s) => s.signatureValidation)).toEqual(['Signature is Valid.', 'Signature is Valid.']);
    expect(sigs[1]!.certificateValidation).toBe('Certificate is Trusted.');

    const ours = verifyPdf(out, { trustAnchors: pki.trustAnchors, now: pki.clock() });
    expect(ours.signatures.map((s) => [s.signer?.name, s.intact, s.trusted, s.modifiedAfter])).toEqual([
      ['Third Party Signer', true, false, false],
      ['张三', true, true, false],
    ]);
    expect(ours.valid).toBe(false);
    const withTrust = verifyPdf(out, { trustAnchors: [...pki.trustAnchors, thirdPartyCa], now: pki.clock() });
    expect(withTrust.valid).toBe(true);
  });

  it('signs an empty merged signature field prepared by pdf-lib in place; refuses fields with widget kids', async () => {
    const doc = await PDFDocument.load(readFileSync(long));
    const form = doc.getForm();
    const page = doc.getPage(0);
    const merged = doc.context.register(
      doc.context.obj({
        Type: 'Annot',
        Subtype: 'Widget',
        FT: 'Sig',
        T: PDFString.of('applicant'),
        Rect: [40, 60, 260, 130],
        F: 4,
        P: page.ref,
      }),
    );
    const parent = doc.context.register(doc.context.obj({ FT: 'Sig', T: PDFString.of('witness') }));
    const kid = doc.context.register(
      doc.context.obj({
        Type: 'Annot',
        Subtype: 'Widget',
        Rect: [300, 60, 520, 130],
        F: 4,
        P: page.ref,
        Parent: parent,
      }),
    );
    doc.context.lookup(parent, PDFDict).set(PDFName.of('Kids'), doc.context.obj([kid]));
    page.node.addAnnot(merged);
    page.node.addAnnot(kid);
    form.acroForm.addField(merged);
    form.acroForm.addField(parent);
    const prepared = Buffer.from(await doc.save({ useObjectStreams: false }));

    const appearance = (name: string) => ({
      page: 1,
      rect: [0, 0, 10, 10] as [number, number, number, number],
      font: FONT,
      texts: { name, role: '签署人' },
    });
    const one = await signPdf(prepared, { ...signOptions(), field: 'applicant', appearance: appearance('王五') });
    await expect(signPdf(one, { ...signOptions(), field: 'witness' })).rejects.toThrow(
      /only empty merged signature fields/,
    );
    const two = Buffer.from(
      await signPdf(one, {
        ...signOptions(),
        signer: pki.signer(pki.official),
        field: 'official',
        appearance: { ...appearance('李四'), rect: [300, 200, 220, 70] },
      }),
    );
    const file = join(tmp.dir, 'prepared-fields.pdf');
    writeFileSync(file, two);

    const report = verifyPdf(two, { trustAnchors: pki.trustAnchors, now: pki.clock() });
    expect(report.signatures.map((s) => [s.field, s.signer?.name, s.intact, s.trusted, s.modifiedAfter])).toEqual([
      ['applicant', '张三', true, true, false],
      ['official', '李四', true, true, false],
    ]);
    // pdfsig also lists the still-empty "witness" field, without validation lines.
    const signedFields = pdfsig(nssdir, file).filter((s) => s.field !== 'witness');
    expect(signedFields.map((s) => [s.field, s.signatureValidation, s.certificateValidation])).toEqual([
      ['applicant', 'Signature is Valid.', 'Certificate is Trusted.'],
      ['official', 'Signature is Valid.', 'Certificate is Trusted.'],
    ]);
    // 王五 is drawn in the prepared box, at its size.
    const text = run('pdftotext', ['-f', '1', '-l', '1', file, '-']).stdout;
    expect(text).toContain('王五');
    expect(text).toContain('李四');
    await expect(signPdf(two, { ...signOptions(), field: 'applicant' })).rejects.toThrow(/already exists/);
  });
});
