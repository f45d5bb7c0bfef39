// Offline verification of an evidence package against trust anchors the verifier brings (never the
// package's own chain.pem, which only supplies intermediates). Every problem names the file it is
// about, so a changed byte anywhere points at the changed file.
import {
  PACKAGE_FORMAT,
  packageManifestSchema,
  CHAIN_FILE,
  MANIFEST_FILE,
  type PackageManifest,
} from './package-manifest.js';
import { parseSha256Sums, sha256Hex, SUMS_FILE, SUMS_SIGNATURE_FILE } from './sha256sums.js';
import { pemToDerList } from './pem.js';
import { readZip, ZipFormatError } from './zip.js';
import { signedMessageDigest } from './cms-digest.js';
import { readCheckpointInfo } from '../recording/index.js';
import { genesis } from '../recording/index.js';
import { verifyRecordingFiles } from './verify-recording-files.js';

export interface TrustMaterial {
  readonly trustAnchors: readonly Uint8Array[];
  readonly intermediates: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
}

/** The CMS and PDF signature checks, supplied by signing/ (see evidence-checks.ts). */
export interface EvidenceChecks {
  /** Detached CMS over `content`: does it verify and chain to a trust anchor? */
  verifyCms(content: Uint8Array, cms: Uint8Array, trust: TrustMaterial): Promise<{ valid: boolean; problem?: string }>;
  /** Every signature in the PDF valid and trusted? */
  verifyPdf(pdf: Uint8Array, trust: TrustMaterial): Promise<{ valid: boolean; problem?: string }>;
}

export interface PackageProblem {
  /** The file inside the package, or '(package)' for the archive itself. */
  readonly file: string;
  readonly message: string;
}

export interface PackageReport {
  readonly valid: boolean;
  readonly problems: PackageProblem[];
  /** What was checked, one line each, for the CLI's output. */
  readonly checked: string[];
  readonly manifest: PackageManifest | null;
}

/** Media is only hashed as it is read (a recording can be gigabytes); everything else is kept to be checked. */
const heldInMemory = (name: string) => !/\.(webm|mp4|mkv|ogg)$/i.test(name);

/** Checks a package given as bytes or as a file (read as a stream: memory stays small whatever its size). */
export async function verifyEvidencePackage(
  zip: Buffer | { readonly path: string },
  trustAnchors: readonly Uint8Array[],
  checks: EvidenceChecks,
): Promise<PackageReport> {
  const problems: PackageProblem[] = [];
  const checked: string[] = [];
  const fail = (file: string, message: string) => problems.push({ file, message });
  const named = (file: string) => problems.some((p) => p.file === file);
  const done = (manifest: PackageManifest | null): PackageReport => ({
    valid: problems.length === 0,
    problems,
    checked,
    manifest,
  });

  let files: Map<string, Buffer>;
  let digests: Map<string, string>;
  try {
    const read = await readZip(zip, { hold: heldInMemory });
    ({ files, digests } = read);
    for (const [name, why] of read.unreadable) fail(name, `unreadable zip entry: ${why}`);
  } catch (err) {
    fail('(package)', err instanceof ZipFormatError ? err.message : 'not a zip archive');
    return done(null);
  }

  const sums = files.get(SUMS_FILE);
  const signature = files.get(SUMS_SIGNATURE_FILE);
  if (!sums) fail(SUMS_FILE, 'missing');
  if (!signature) fail(SUMS_SIGNATURE_FILE, 'missing');
  if (!sums || !signature) return done(null);

  const chainPem = files.get(CHAIN_FILE);
  const trust: TrustMaterial = {
    trustAnchors,
    intermediates: chainPem ? pemToDerList(chainPem.toString('utf8')) : [],
    crls: [...files.entries()]
      .filter(([name]) => name.startsWith('certs/') && name.endsWith('.crl'))
      .map(([, bytes]) => bytes),
  };

  // 1. The seal over SHA256SUMS. A digest mismatch means SHA256SUMS changed; anything else, the .p7s.
  const cms = await checks.verifyCms(sums, signature, trust);
  if (!cms.valid) {
    const digest = signedMessageDigest(signature);
    if (digest && digest !== sha256Hex(sums)) {
      // The list itself changed: nothing it says can be trusted, so no file is blamed on its word.
      fail(SUMS_FILE, 'does not match the digest sealed in SHA256SUMS.p7s');
      return done(null);
    }
    fail(SUMS_SIGNATURE_FILE, cms.problem ?? 'seal signature does not verify');
  } else checked.push(`${SUMS_SIGNATURE_FILE}: platform seal over ${SUMS_FILE} verified`);

  // 2. Every other file listed, present and unchanged; nothing extra.
  let listed: Map<string, string>;
  try {
    listed = parseSha256Sums(sums.toString('utf8'));
  } catch (err) {
    fail(SUMS_FILE, err instanceof Error ? err.message : 'malformed');
    return done(null);
  }
  for (const [name, expected] of listed) {
    const digest = digests.get(name);
    if (!digest) {
      if (!named(name)) fail(name, 'listed in SHA256SUMS but missing');
    } else if (digest !== expected) fail(name, 'SHA-256 differs from SHA256SUMS');
  }
  for (const name of digests.keys()) {
    if (name !== SUMS_FILE && name !== SUMS_SIGNATURE_FILE && !listed.has(name)) fail(name, 'not listed in SHA256SUMS');
  }
  checked.push(`${listed.size} files hashed against ${SUMS_FILE}`);

  // 3. The manifest says what the package holds.
  let manifest: PackageManifest | null = null;
  const manifestBytes = files.get(MANIFEST_FILE);
  if (!manifestBytes) fail(MANIFEST_FILE, 'missing');
  else {
    try {
      const parsed = packageManifestSchema.safeParse(JSON.parse(manifestBytes.toString('utf8')));
      if (parsed.success) manifest = parsed.data;
      else fail(MANIFEST_FILE, `not a ${PACKAGE_FORMAT} manifest`);
    } catch {
      fail(MANIFEST_FILE, 'not JSON');
    }
  }
  if (!manifest) return done(null);

  // 4. Every PDF signature.
  for (const doc of manifest.documents) {
    const pdf = files.get(doc.file);
    if (!pdf) {
      if (!named(doc.file)) fail(doc.file, 'named in manifest.json but missing');
      continue;
    }
    if (named(doc.file)) continue; // changed: already named, its signatures cannot hold
    const result = await checks.verifyPdf(pdf, trust).catch((err: unknown) => ({
      valid: false,
      problem: err instanceof Error ? err.message : 'unreadable PDF',
    }));
    if (result.valid) checked.push(`${doc.file}: every signature valid and trusted`);
    else fail(doc.file, result.problem ?? 'a signature is not valid');
  }

  // 5. The recording: chain, seal, and each identity PDF's checkpoint a link of that chain.
  if (manifest.recording) {
    const dir = manifest.recording.dir.replace(/\/?$/, '/');
    const inDir = <T>(all: Map<string, T>) =>
      new Map([...all].filter(([name]) => name.startsWith(dir)).map(([name, v]) => [name.slice(dir.length), v]));
    const recording = await verifyRecordingFiles({ files: inDir(files), digests: inDir(digests) }, (content, cms) =>
      checks.verifyCms(content, cms, trust),
    );
    if (recording.sessionId !== manifest.recording.sessionId)
      fail(`${dir}manifest.json`, 'recording of another session');
    for (const p of recording.problems) fail(`${dir}${p.file}`, p.message);
    if (recording.problems.length === 0)
      checked.push(`${dir}: ${recording.links.length - 1} segments chained, manifest seal verified`);
    // A broken recording is already named; its links prove nothing about the documents' checkpoints.
    if (recording.problems.length === 0) {
      for (const doc of manifest.documents.filter((d) => d.kind === 'identity' && !named(d.file))) {
        await checkCheckpoint(
          doc.file,
          files.get(doc.file),
          manifest.recording.sessionId,
          recording.links,
          fail,
          checked,
        );
      }
      // Each snapshot and material must be the link it claims (h_{i+1}: links[0] is h_0).
      for (const entry of [...manifest.snapshots, ...(manifest.materials ?? [])].filter(
        (s) => s.chainIndex !== undefined && !named(s.file),
      )) {
        if (recording.links[entry.chainIndex! + 1] !== entry.chainHash)
          fail(entry.file, `not link ${entry.chainIndex} of the recording chain`);
        else checked.push(`${entry.file}: link ${entry.chainIndex} of the recording chain`);
      }
    }
  } else {
    // Nothing was recorded: a checkpoint can only be the genesis of its own session.
    for (const doc of manifest.documents.filter((d) => d.kind === 'identity' && !named(d.file))) {
      const sessionId = doc.checkpoint?.sessionId ?? '';
      await checkCheckpoint(doc.file, files.get(doc.file), sessionId, [genesis(sessionId)], fail, checked);
    }
  }
  return done(manifest);
}

async function checkCheckpoint(
  file: string,
  pdf: Buffer | undefined,
  sessionId: string,
  links: readonly string[],
  fail: (file: string, message: string) => void,
  checked: string[],
): Promise<void> {
  if (!pdf) return;
  const checkpoint = await readCheckpointInfo(pdf).catch(() => undefined);
  if (!checkpoint) return fail(file, 'carries no readable recording checkpoint');
  if (checkpoint.sessionId !== sessionId)
    return fail(file, `checkpoint names session ${checkpoint.sessionId}, not the recorded one`);
  if (links[checkpoint.segmentCount] !== checkpoint.head) {
    return fail(file, `checkpoint head is not link ${checkpoint.segmentCount} of the recording chain`);
  }
  checked.push(
    links.length === 1
      ? `${file}: checkpoint is the chain's genesis h_0 of session ${sessionId} (nothing was recorded)`
      : `${file}: checkpoint is link ${checkpoint.segmentCount} of ${links.length - 1} of the recording chain`,
  );
}
