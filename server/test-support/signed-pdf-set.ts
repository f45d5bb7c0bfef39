// A platform data directory (SQLite + platform PKI) and many PDFs signed B-T by one of its clerks,
// optionally with an evidence package around the first: what `tongban verify` checks in batches,
// for the CLI test and the batch benchmark. The key is unlocked once and every file gets its own
// signing time, so no two files are the same bytes.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDetachedCms, signPdf } from '../../signing/index.js';
import { chromiumPdf, contractHtml } from '../../signing/test-support/tools.js';
import { PlatformPki } from '../kernel/pki/PlatformPki.js';
import { Database } from '../kernel/store/Database.js';
import { databaseFile } from '../kernel/store/paths.js';
import { buildEvidencePackage, PACKAGE_FORMAT, type PackageManifest } from '../features/evidence/index.js';
import { zipBytes } from './package-tools.js';
import { testPkiTuning } from './pki-tuning.js';

export interface SignedPdfSet {
  readonly dataDir: string;
  /** The platform root as PEM, for `--trust` runs without the data directory. */
  readonly rootPem: string;
  /** The unsigned source PDF. */
  readonly source: string;
  readonly files: readonly string[];
  /** With `evidence`: a package holding the first signed PDF as an agreement, sealed by the platform. */
  readonly evidence?: string;
}

/** The signing PIN of the set's clerk (clerk.cixi), for tests that sign more with `tongban sign`. */
export const SET_PIN = '246810';

export async function signedPdfSet(o: {
  readonly dir: string;
  readonly count: number;
  readonly pages: number;
  /** Where the signed files go (default: `dir`/signed). */
  readonly outDir?: string;
  readonly evidence?: boolean;
}): Promise<SignedPdfSet> {
  const dataDir = join(o.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const outDir = o.outDir ?? join(o.dir, 'signed');
  mkdirSync(outDir, { recursive: true });
  const source = chromiumPdf(o.dir, 'contract', contractHtml(o.pages));
  const bytes = new Uint8Array(readFileSync(source));
  const db = Database.open(databaseFile(dataDir));
  try {
    const pki = PlatformPki.open({ db, dataDir, ...testPkiTuning });
    await pki.init([{ id: 'cixi', name: '慈溪市政务服务办' }]);
    await pki.issueUserCertificate({ userId: 'clerk.cixi', name: '张三', role: 'clerk', siteId: 'cixi', pin: SET_PIN });
    const signer = await pki.unlockUserSigner('clerk.cixi', SET_PIN);
    const timeStamper = pki.timeStamper();
    const start = Date.now() - 60_000;
    const files: string[] = [];
    for (let i = 0; i < o.count; i++) {
      const signed = await signPdf(bytes, {
        signer,
        timeStamper,
        level: 'B-T',
        signingTime: new Date(start + i * 1000),
      });
      const file = join(outDir, `signed-${String(i + 1).padStart(3, '0')}.pdf`);
      writeFileSync(file, signed);
      files.push(file);
    }
    const rootPem = join(o.dir, 'root.pem');
    writeFileSync(rootPem, await pki.rootCertificatePem());
    if (!o.evidence) return { dataDir, rootPem, source, files };
    const evidence = join(outDir, 'evidence-1.zip');
    writeFileSync(evidence, await evidenceZip(pki, readFileSync(files[0]!)));
    return { dataDir, rootPem, source, files, evidence };
  } finally {
    await db.close();
  }
}

async function evidenceZip(pki: PlatformPki, pdf: Uint8Array): Promise<Buffer> {
  const now = new Date();
  const manifest: PackageManifest = {
    format: PACKAGE_FORMAT,
    exportedAt: now.toISOString(),
    exportedBy: 'user:auditor.cixi',
    record: {
      id: 'record-batch-1',
      kind: 'ceremony',
      number: 'TB-2026-000200',
      title: '跨域通办协议',
      matter: null,
      sites: [{ id: 'cixi', name: '慈溪市政务服务办' }],
      participants: [{ name: '张三', role: 'host', userId: 'clerk.cixi' }],
      archivedAt: now.toISOString(),
      retainUntil: new Date(now.getTime() + 365 * 86_400_000).toISOString(),
      legalHold: false,
    },
    documents: [
      {
        file: 'documents/agreement-1.pdf',
        kind: 'agreement',
        title: '跨域通办协议',
        sha256: createHash('sha256').update(pdf).digest('hex'),
        signers: [{ position: 1, role: 'clerk', name: '张三', signedAt: now.toISOString() }],
        checkpoint: null,
      },
    ],
    snapshots: [],
    recording: null,
    audit: { file: 'audit.jsonl', entries: 1 },
    crls: [],
  };
  const content = new Map<string, Uint8Array>([
    ['documents/agreement-1.pdf', pdf],
    ['audit.jsonl', Buffer.from('{"id":1,"action":"ceremony.signed"}\n')],
    ['manifest.json', Buffer.from(JSON.stringify(manifest))],
  ]);
  const pkg = await buildEvidencePackage(content, {
    seal: await pki.sealSigner(),
    timeStamper: pki.timeStamper(),
    createDetachedCms,
    mtime: now,
  });
  return zipBytes(pkg.zip());
}
