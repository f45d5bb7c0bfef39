// An evidence package built with a test PKI: the verifier accepts it, names the file when any byte
// of any file changes, refuses a package sealed under another root, and the README's openssl +
// sha256sum commands pass on the unpacked folder.
import {
  appendFileSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestPki, type TestPki } from '../../../certs/test-support/test-pki.js';
import { createDetachedCms } from '../../../signing/cms/create-cms.js';
import { signPdf } from '../../../signing/sign/sign-pdf.js';
import { addDss } from '../../../signing/sign/dss.js';
import { addDocumentTimestamp } from '../../../signing/sign/document-timestamp.js';
import { certificatePem } from '../../../certs/encoding.js';
import { NOTO_SANS_CJK_TTC } from '../documents/index.js';
import { renderIdentityDocument } from '../identity/index.js';
import { syntheticRecording } from '../../test-support/synthetic-recording.js';
import { readmeCommands, unpack, withFlippedByte, zipBytes } from '../../test-support/package-tools.js';
import { buildEvidencePackage } from './build-package.js';
import { evidenceChecks } from './evidence-checks.js';
import { PACKAGE_FORMAT, type PackageManifest } from './package-manifest.js';
import { derToPem } from './pem.js';
import { verifyEvidencePackage } from './verify-package.js';
import { readZip, type ZipSource } from './zip.js';

const clock = () => new Date('2026-06-01T08:05:00Z');
const SESSION = 'session-under-test';
const font = new Uint8Array(readFileSync(NOTO_SANS_CJK_TTC));
let pki: TestPki;
let zip: Buffer;
let files: string[];
const dirs: string[] = [];

async function identityPdf(checkpoint: { head: string; segmentCount: number }): Promise<Uint8Array> {
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
      '1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2e7d6d50000000049454e44ae426082',
    'hex',
  );
  const { pdf, boxes } = await renderIdentityDocument({
    caseNumber: 'TB-2026-000001',
    caseId: 'case-1',
    matter: '社保停缴',
    originatingSite: '兴仁市政务服务中心',
    handlingSite: '慈溪市政务服务办',
    applicant: { name: '王五', idMasked: '5225**********1234' },
    originatingClerk: '李四',
    handlingClerk: '张三',
    checklist: { faceVisible: true, idFrontShown: true, idBackShown: true, statedNameAndPurpose: true },
    snapshots: [
      {
        kind: 'face',
        mediaType: 'image/png',
        bytes: png,
        sha256: 'ab'.repeat(32),
        offsetMs: 1200,
        takenAt: clock().toISOString(),
        chainIndex: 0,
        chainHash: 'cd'.repeat(32),
      },
    ],
    sessionStartedAt: '2026-06-01T08:00:00.000Z',
    confirmedAt: clock().toISOString(),
    checkpoint: { sessionId: SESSION, ...checkpoint, offsetMs: 8000, at: clock().toISOString() },
    font,
  });
  const signed = await signPdf(pdf, {
    signer: pki.signer(pki.clerk),
    timeStamper: pki.timeStamper,
    level: 'B-T',
    signingTime: clock(),
    appearance: {
      page: boxes.confirmer.page,
      rect: boxes.confirmer.rect,
      font,
      texts: { name: '张三', role: '受理员' },
    },
  });
  const withDss = await addDss(signed, {
    certificates: [pki.root.certificate, ...pki.intermediates, pki.tsa.certificate],
    crls: pki.crls(),
  });
  return addDocumentTimestamp(withDss, pki.timeStamper);
}

beforeAll(async () => {
  pki = await createTestPki({ clock });
  const recording = await syntheticRecording(SESSION, 3, pki.signer(pki.seal), pki.timeStamper);
  const pdf = await identityPdf({ head: recording.links[2]!, segmentCount: 2 });
  const content = new Map<string, ZipSource>();
  content.set('documents/identity-1.pdf', pdf);
  // Segments come from disk, as the exporter gives them (streamed into the zip, not loaded).
  const segmentDir = mkdtempSync(join(tmpdir(), 'tongban-segments-'));
  dirs.push(segmentDir);
  for (const [name, bytes] of recording.files) {
    if (!name.endsWith('.webm')) {
      content.set(`recording/${name}`, bytes);
      continue;
    }
    mkdirSync(dirname(join(segmentDir, name)), { recursive: true });
    writeFileSync(join(segmentDir, name), bytes);
    content.set(`recording/${name}`, { path: join(segmentDir, name) });
  }
  expect([...content.values()].filter((v) => !(v instanceof Uint8Array))).toHaveLength(3);
  content.set('snapshots/01-face.png', Buffer.from('not really a png but bytes all the same'));
  content.set('audit.jsonl', Buffer.from('{"id":1,"action":"case.created"}\n'));
  content.set(
    'certs/chain.pem',
    Buffer.from([pki.root.certificate, ...pki.intermediates].map((d) => derToPem(d)).join('')),
  );
  const crls = pki.crls();
  crls.forEach((der, i) => content.set(`certs/ca-${i}.crl`, der));
  const manifest: PackageManifest = {
    format: PACKAGE_FORMAT,
    exportedAt: clock().toISOString(),
    exportedBy: 'user:auditor',
    record: {
      id: 'record-1',
      kind: 'case',
      number: 'TB-2026-000001',
      title: '社保停缴 · 王五',
      matter: { id: 'shebao-tingjiao', name: '社保停缴' },
      sites: [{ id: 'cixi', name: '慈溪市政务服务办' }],
      participants: [{ name: '张三', role: 'handling_clerk', userId: 'clerk.cixi' }],
      archivedAt: clock().toISOString(),
      retainUntil: '2036-06-01T08:05:00.000Z',
      legalHold: false,
    },
    documents: [
      {
        file: 'documents/identity-1.pdf',
        kind: 'identity',
        title: '身份核验确认书',
        sha256: 'x',
        signers: [],
        checkpoint: {
          sessionId: SESSION,
          head: recording.links[2]!,
          segmentCount: 2,
          offsetMs: 8000,
          at: clock().toISOString(),
        },
      },
    ],
    snapshots: [{ file: 'snapshots/01-face.png', kind: 'face', sha256: 'x', offsetMs: 1200 }],
    recording: { sessionId: SESSION, dir: 'recording/', status: 'sealed' },
    audit: { file: 'audit.jsonl', entries: 1 },
    crls: crls.map((_, i) => `certs/ca-${i}.crl`),
  };
  content.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  const pkg = await buildEvidencePackage(content, {
    seal: pki.signer(pki.seal),
    timeStamper: pki.timeStamper,
    createDetachedCms,
    mtime: clock(),
  });
  zip = await zipBytes(pkg.zip());
  files = [...(await readZip(zip)).files.keys()];
  expect(pkg.fileCount).toBe(files.length);
  // Each zip() is a new, identical stream.
  expect((await zipBytes(pkg.zip())).equals(zip)).toBe(true);
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('evidence package', () => {
  test('verifies against the root the verifier brings: seal, every hash, the PDF, the recording chain and the checkpoint', async () => {
    const report = await verifyEvidencePackage(zip, pki.trustAnchors, evidenceChecks);
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.checked.join('\n')).toMatch(/checkpoint is link 2 of 3/);
    expect(files).toEqual(
      expect.arrayContaining(['manifest.json', 'SHA256SUMS', 'SHA256SUMS.p7s', 'recording/manifest.json.p7s']),
    );
  });

  test('changing one byte of any file is detected and names exactly that file', async () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) {
      const report = await verifyEvidencePackage(await withFlippedByte(zip, file), pki.trustAnchors, evidenceChecks);
      expect(report.valid, file).toBe(false);
      expect([...new Set(report.problems.map((p) => p.file))], file).toEqual([file]);
    }
  });

  test('a checkpoint that is not a link of the chain is refused', async () => {
    const recording = await syntheticRecording(SESSION, 2, pki.signer(pki.seal), pki.timeStamper);
    const content = new Map<string, Uint8Array>((await readZip(zip)).files);
    content.delete('SHA256SUMS');
    content.delete('SHA256SUMS.p7s');
    content.set('documents/identity-1.pdf', await identityPdf({ head: recording.links[1]!, segmentCount: 1 }));
    const forged = await zipBytes(
      (
        await buildEvidencePackage(content, {
          seal: pki.signer(pki.seal),
          timeStamper: pki.timeStamper,
          createDetachedCms,
          mtime: clock(),
        })
      ).zip(),
    );
    const report = await verifyEvidencePackage(forged, pki.trustAnchors, evidenceChecks);
    expect(report.problems).toEqual([
      { file: 'documents/identity-1.pdf', message: 'checkpoint head is not link 1 of the recording chain' },
    ]);
  });

  test('a large recording is streamed from disk into the zip and back through the verifier, never loaded into memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-large-'));
    dirs.push(dir);
    const big = join(dir, 'seg-00000.webm');
    const size = 160 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    for (let i = 0; i < size / chunk.length; i++) appendFileSync(big, chunk);
    const content = new Map<string, ZipSource>([
      ['manifest.json', Buffer.from('{}')],
      ['recording/seg-00000.webm', { path: big }],
    ]);
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const pkg = await buildEvidencePackage(content, {
      seal: pki.signer(pki.seal),
      timeStamper: pki.timeStamper,
      createDetachedCms,
      mtime: clock(),
    });
    const zipFile = join(dir, 'evidence.zip');
    await pipeline(pkg.zip(), createWriteStream(zipFile));
    // Verifying reads it back as a stream: the segment is hashed on the way, not held.
    const report = await verifyEvidencePackage({ path: zipFile }, pki.trustAnchors, evidenceChecks);
    clearInterval(watch);
    expect(statSync(zipFile).size).toBeGreaterThan(size);
    expect(report.checked).toContain('2 files hashed against SHA256SUMS');
    expect(report.problems).toEqual([{ file: 'manifest.json', message: 'not a tongban-evidence/1 manifest' }]);
    const grewMiB = (peak - rssBefore) / 2 ** 20;
    console.log(
      `zipped and verified ${(statSync(zipFile).size / 2 ** 20).toFixed(0)} MiB; resident memory grew ${grewMiB.toFixed(0)} MiB at most`,
    );
    expect(grewMiB).toBeLessThan(64);
  });

  test('another root does not vouch for the package', async () => {
    const other = await createTestPki({ clock });
    const report = await verifyEvidencePackage(zip, other.trustAnchors, evidenceChecks);
    expect(report.valid).toBe(false);
    expect(report.problems.map((p) => p.file)).toContain('SHA256SUMS.p7s');
  });

  test('openssl cms -verify and sha256sum -c pass on the unpacked package, and fail on a changed file', async () => {
    const dir = await unpack(zip);
    dirs.push(dir);
    const rootPem = join(dir, '..', `${dir.split('/').pop()}-root.pem`);
    writeFileSync(rootPem, certificatePem(pki.root.certificate));
    const ok = readmeCommands(dir, rootPem);
    expect(ok.openssl.output).toMatch(/Verification successful/);
    expect(ok.openssl.status).toBe(0);
    expect(ok.sha256sum.status).toBe(0);
    expect(ok.sha256sum.output).toMatch(/documents\/identity-1\.pdf: OK/);
    const bad = await unpack(await withFlippedByte(zip, 'audit.jsonl', 3));
    dirs.push(bad);
    const after = readmeCommands(bad, rootPem);
    expect(after.sha256sum.status).not.toBe(0);
    expect(after.sha256sum.output).toMatch(/audit\.jsonl: FAILED/);
    rmSync(rootPem);
  });

  test('not a zip, or a zip without SHA256SUMS, is reported', async () => {
    expect(
      (await verifyEvidencePackage(Buffer.from('hello'), pki.trustAnchors, evidenceChecks)).problems[0]!.file,
    ).toBe('(package)');
  });
});
