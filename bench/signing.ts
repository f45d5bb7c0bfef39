// `npm run bench:signing`: PAdES signing and verification of a ~40-page Chromium-printed Chinese
// PDF, ours against peers on the same file in the same run (medians):
//   whole process  `tongban sign` (B-T, PIN-unlocked key, TSA)  vs  @signpdf/signpdf + P12 signer (B-B)
//   whole process  `tongban verify`                              vs  pdfsig
//   (each also once right after a build, before the command has a code cache; and bare Node
//   start-up, `node -e ''`, the floor under any Node command)
//   in process     signPdf B-T and B-B (warm)                    vs  @libpdf/core 0.4.2 B-B (warm)
//                  signPdf B-B (warm)                            vs  hashing the file + one RSA signature (the floor)
//   in process     verifyPdf (warm)                              vs  pdfsig (whole process: it has no library form)
// BENCH_RUNS (default 7) sets the number of timed runs per figure.
import { spawnSync } from 'node:child_process';
import { createHash, sign as cryptoSign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import forge from 'node-forge';
import { PDF, P12Signer } from '@libpdf/core';
import { certificatePem, fromPem } from '../certs/encoding.js';
import { createTestPki, type TestPki } from '../certs/test-support/test-pki.js';
import type { Credential } from '../certs/hierarchy.js';
import { PlatformPki } from '../server/kernel/pki/PlatformPki.js';
import { Database } from '../server/kernel/store/Database.js';
import { databaseFile } from '../server/kernel/store/paths.js';
import { signPdf, verifyPdf } from '../signing/index.js';
import { PdfReader } from '../signing/pdf/PdfReader.js';
import { chromiumPdf, contractHtml, nssDatabase } from '../signing/test-support/tools.js';

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 7));
const WARMUP = 3;
const PIN = '246810';
const ROOT = join(import.meta.dirname, '..');

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function timeProcess(cmd: string, args: readonly string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed (${r.status}): ${r.stderr.slice(0, 300)}`);
  }
  return ms;
}

async function timeWarm(fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

/** The test PKI's clerk as a PKCS#12 for the peers (node-forge, 3DES, passphrase "bench"). */
function p12Of(pki: TestPki, cred: Credential): Uint8Array {
  const key = forge.pki.privateKeyFromPem(cred.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const certs = [cred.certificate, ...pki.chainOf(cred)].map((der) =>
    forge.pki.certificateFromPem(certificatePem(der)),
  );
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, 'bench', { algorithm: '3des' });
  return new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}

async function platformDataDir(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const db = Database.open(databaseFile(dir));
  try {
    const pki = PlatformPki.open({ db, dataDir: dir });
    await pki.init([{ id: 'cixi', name: '慈溪市政务服务办' }]);
    await pki.issueUserCertificate({ userId: 'clerk.cixi', name: '张三', role: 'clerk', siteId: 'cixi', pin: PIN });
    writeFileSync(join(dir, 'root.pem'), await pki.rootCertificatePem());
  } finally {
    await db.close();
  }
}

interface Row {
  readonly what: string;
  readonly ours: number;
  readonly peerName?: string;
  readonly peer?: number;
}

function printTable(rows: readonly Row[], pages: number, bytes: number): void {
  const fmt = (ms: number | undefined): string => (ms === undefined ? '—' : `${ms.toFixed(1)} ms`);
  process.stdout.write(
    `\nPAdES on a ${pages}-page Chromium PDF (${(bytes / 1024).toFixed(0)} KiB), median of ${RUNS} runs\n\n`,
  );
  process.stdout.write('| operation | ours | peer | peer time | ours / peer |\n|---|---:|---|---:|---:|\n');
  for (const r of rows) {
    const ratio = r.peer ? `${(r.ours / r.peer).toFixed(2)}×` : '—';
    process.stdout.write(`| ${r.what} | ${fmt(r.ours)} | ${r.peerName ?? '—'} | ${fmt(r.peer)} | ${ratio} |\n`);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-bench-signing-'));
  try {
    process.stdout.write('preparing: 40-page Chromium PDF, test PKI, platform data directory…\n');
    const input = chromiumPdf(dir, 'contract', contractHtml(40));
    const bytes = readFileSync(input);
    const t0 = new Date();
    const pki = await createTestPki({ clock: () => t0 });
    const p12 = p12Of(pki, pki.clerk);
    writeFileSync(join(dir, 'clerk.p12'), p12);
    const dataDir = join(dir, 'data');
    await platformDataDir(dataDir);
    const platformRoot = fromPem(readFileSync(join(dataDir, 'root.pem'), 'latin1'))[0]!;
    const nss = nssDatabase(join(dir, 'nss'), platformRoot);
    const cli = join(ROOT, 'bin', 'tongban.cjs');
    const peerScript = join(ROOT, 'bench', 'signing-peers', 'signpdf-sign.mjs');
    const signedByUs = join(dir, 'signed-tongban.pdf');

    const signArgs = [
      '--in',
      input,
      '--out',
      signedByUs,
      '--user',
      'clerk.cixi',
      '--pin',
      PIN,
      '--level',
      'B-T',
      '--data',
      dataDir,
    ];
    const sign = () => timeProcess(process.execPath, [cli, 'sign', ...signArgs]);
    const verify = () => timeProcess(process.execPath, [cli, 'verify', signedByUs, '--data', dataDir]);
    // Right after a build: no command has run yet, so none has its own code cache.
    if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs')], { stdio: 'inherit' }).status !== 0)
      throw new Error('bundling the tongban command failed');
    const firstSign = sign();
    const firstVerify = verify();
    rmSync(signedByUs);

    const wholeSign: number[] = [];
    const wholePeerSign: number[] = [];
    const wholeVerify: number[] = [];
    const wholePdfsig: number[] = [];
    const nodeStart: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternate ours and the peers so all see the same machine load.
      wholeSign.push(sign());
      rmSync(join(dir, 'signed-peer.pdf'), { force: true });
      wholePeerSign.push(
        timeProcess(process.execPath, [
          peerScript,
          input,
          join(dir, 'signed-peer.pdf'),
          join(dir, 'clerk.p12'),
          'bench',
        ]),
      );
      wholeVerify.push(verify());
      wholePdfsig.push(timeProcess('pdfsig', ['-nssdir', nss, signedByUs]));
      nodeStart.push(timeProcess(process.execPath, ['-e', '']));
      if (i < RUNS - 1) rmSync(signedByUs);
    }
    const check = verifyPdf(readFileSync(signedByUs), { trustAnchors: [platformRoot] });
    if (!check.valid) throw new Error('the benchmarked signature does not verify');

    const ourSigner = pki.signer(pki.clerk);
    const inSign = await timeWarm(() =>
      signPdf(bytes, { signer: ourSigner, timeStamper: pki.timeStamper, level: 'B-T', signingTime: new Date() }),
    );
    const inSignBB = await timeWarm(() => signPdf(bytes, { signer: ourSigner, level: 'B-B', signingTime: new Date() }));
    // The floor under any B-B signer: hashing the file once and one RSA signature.
    const floor = await timeWarm(() =>
      cryptoSign('sha256', createHash('sha256').update(bytes).digest(), pki.clerk.privateKey),
    );
    const libpdfSigner = await P12Signer.create(p12, 'bench');
    const inPeer = await timeWarm(async () => {
      const pdf = await PDF.load(bytes);
      return (await pdf.sign({ signer: libpdfSigner, level: 'B-B' })).bytes;
    });
    const signed = await signPdf(bytes, {
      signer: ourSigner,
      timeStamper: pki.timeStamper,
      level: 'B-T',
      signingTime: new Date(),
    });
    const inVerify = await timeWarm(() => verifyPdf(signed, { trustAnchors: pki.trustAnchors, now: pki.clock() }));

    const pdfsig = { peerName: 'pdfsig 22.12', peer: median(wholePdfsig) };
    const signpdf = { peerName: '@signpdf/signpdf + P12 (B-B)', peer: median(wholePeerSign) };
    printTable(
      [
        { what: 'sign, whole process (`tongban sign`, B-T)', ours: median(wholeSign), ...signpdf },
        { what: 'sign, whole process, first run after a build', ours: firstSign, ...signpdf },
        { what: 'verify, whole process (`tongban verify`)', ours: median(wholeVerify), ...pdfsig },
        { what: 'verify, whole process, first run after a build', ours: firstVerify, ...pdfsig },
        { what: "Node start-up alone (`node -e ''`)", ours: median(nodeStart), ...pdfsig },
        {
          what: 'sign, in process warm (signPdf B-T)',
          ours: inSign,
          peerName: '@libpdf/core 0.4.2 (B-B)',
          peer: inPeer,
        },
        {
          what: 'sign, in process warm (signPdf B-B)',
          ours: inSignBB,
          peerName: '@libpdf/core 0.4.2 (B-B)',
          peer: inPeer,
        },
        {
          what: 'sign, in process warm (signPdf B-B)',
          ours: inSignBB,
          peerName: 'SHA-256 of the file + one RSA-2048 signature',
          peer: floor,
        },
        { what: 'verify, in process warm (verifyPdf)', ours: inVerify, ...pdfsig },
      ],
      PdfReader.open(bytes).pageCount(),
      bytes.length,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
