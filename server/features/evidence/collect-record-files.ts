// Gathers what goes into a record's evidence package (DESIGN §6) besides SHA256SUMS and its seal:
// manifest.json, the signed PDFs, snapshots, materials, the sealed recording, the record's audit entries,
// the CA chain and CRLs.
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import type { RecordParts } from '../records/index.js';
import { AUDIT_FILE, CHAIN_FILE, MANIFEST_FILE, PACKAGE_FORMAT, type PackageManifest } from './package-manifest.js';
import { derToPem } from './pem.js';
import type { RecordingService } from '../recording/index.js';
import type { ZipSource } from './zip.js';

const materialExtension: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/pdf': 'pdf' };

export interface CollectOptions {
  readonly recording: RecordingService;
  readonly blobs: BlobStore;
  readonly pki: SigningPki;
  readonly exportedAt: Date;
  readonly exportedBy: string;
  readonly matterName: (id: string) => Promise<string>;
}

export async function collectRecordFiles(parts: RecordParts, o: CollectOptions): Promise<Map<string, ZipSource>> {
  const { record } = parts;
  const files = new Map<string, ZipSource>();

  const documents: PackageManifest['documents'] = [];
  for (const doc of parts.documents) {
    const file = `documents/${doc.kind}-${doc.id.slice(0, 8)}.pdf`;
    files.set(file, await o.blobs.get(doc.currentSha256));
    documents.push({
      file,
      kind: doc.kind,
      title: doc.title,
      sha256: doc.currentSha256,
      signers: doc.signers.map((s) => ({
        position: s.position,
        role: s.role,
        name: s.displayName,
        signedAt: s.signedAt,
      })),
      checkpoint: doc.checkpoint,
    });
  }

  const snapshots: PackageManifest['snapshots'] = [];
  for (const [i, snap] of parts.snapshots.entries()) {
    const file = `snapshots/${String(i + 1).padStart(2, '0')}-${snap.kind}-${snap.id.slice(0, 8)}.${snap.mediaType === 'image/png' ? 'png' : 'jpg'}`;
    files.set(file, await o.blobs.get(snap.sha256));
    snapshots.push({
      file,
      kind: snap.kind,
      sha256: snap.sha256,
      offsetMs: snap.offsetMs,
      ...(snap.chainIndex !== null && snap.chainHash ? { chainIndex: snap.chainIndex, chainHash: snap.chainHash } : {}),
    });
  }

  const materials: NonNullable<PackageManifest['materials']> = [];
  for (const [i, m] of parts.materials.entries()) {
    const file = `materials/${String(i + 1).padStart(2, '0')}-${m.id.slice(0, 8)}.${materialExtension[m.mediaType]}`;
    files.set(file, await o.blobs.get(m.sha256));
    const { name, mediaType, sha256, offsetMs, chainIndex, chainHash } = m;
    materials.push({ file, name, mediaType, sha256, offsetMs, chainIndex, chainHash });
  }

  const recording = record.sessionId ? await o.recording.packageFiles(record.sessionId) : undefined;
  const recordingDir = 'recording/';
  if (recording) for (const [name, bytes] of recording.files) files.set(`${recordingDir}${name}`, bytes);

  files.set(
    AUDIT_FILE,
    Buffer.from(parts.audit.map((e) => JSON.stringify(e)).join('\n') + (parts.audit.length ? '\n' : ''), 'utf8'),
  );
  files.set(CHAIN_FILE, Buffer.from((await o.pki.caCertificates()).map((der) => derToPem(der)).join(''), 'utf8'));
  const crls = (await o.pki.crls()).map(({ caId, der }) => {
    const file = `certs/${caId.replace(/[^a-z0-9._-]/gi, '_')}.crl`;
    files.set(file, der);
    return file;
  });

  const manifest: PackageManifest = {
    format: PACKAGE_FORMAT,
    exportedAt: o.exportedAt.toISOString(),
    exportedBy: o.exportedBy,
    record: {
      id: record.id,
      kind: record.kind,
      number: record.number,
      title: record.title,
      matter: record.matterId ? { id: record.matterId, name: await o.matterName(record.matterId) } : null,
      sites: [...record.sites],
      participants: record.participants.map((p) => ({ name: p.name, role: p.role, userId: p.userId })),
      archivedAt: record.archivedAt,
      retainUntil: record.retainUntil,
      legalHold: record.legalHold,
    },
    documents,
    snapshots,
    materials,
    recording:
      recording && record.sessionId
        ? { sessionId: record.sessionId, dir: recordingDir, status: recording.status }
        : null,
    audit: { file: AUDIT_FILE, entries: parts.audit.length },
    crls,
  };
  files.set(MANIFEST_FILE, Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'));
  return files;
}
