// manifest.json of an evidence package: what the record is and where each part lies in the zip.
// The verifier reads it (after SHA256SUMS proved it unchanged) to know which PDF carries which
// recording checkpoint and where the recording is.
import { z } from 'zod';
import { checkpointSchema } from '../recording/index.js';

export const PACKAGE_FORMAT = 'tongban-evidence/1';
export const MANIFEST_FILE = 'manifest.json';
export const AUDIT_FILE = 'audit.jsonl';
export const CHAIN_FILE = 'certs/chain.pem';

const documentEntry = z.object({
  file: z.string().startsWith('documents/'),
  kind: z.enum(['identity', 'agreement']),
  title: z.string(),
  sha256: z.string(),
  signers: z.array(
    z.object({ position: z.number().int(), role: z.string(), name: z.string(), signedAt: z.string().nullable() }),
  ),
  checkpoint: checkpointSchema.nullable(),
});

export const packageManifestSchema = z.object({
  format: z.literal(PACKAGE_FORMAT),
  exportedAt: z.string(),
  exportedBy: z.string(),
  record: z.object({
    id: z.string(),
    kind: z.enum(['case', 'ceremony']),
    number: z.string(),
    title: z.string(),
    matter: z.object({ id: z.string(), name: z.string() }).nullable(),
    sites: z.array(z.object({ id: z.string(), name: z.string() })),
    participants: z.array(z.object({ name: z.string(), role: z.string(), userId: z.string().nullable() })),
    archivedAt: z.string(),
    retainUntil: z.string(),
    legalHold: z.boolean(),
  }),
  documents: z.array(documentEntry),
  snapshots: z.array(
    z.object({
      file: z.string().startsWith('snapshots/'),
      kind: z.enum(['face', 'id']),
      sha256: z.string(),
      offsetMs: z.number(),
      /** The recording chain link holding the image (snapshots are frames taken from the recording). */
      chainIndex: z.number().int().min(0).optional(),
      chainHash: z.string().optional(),
    }),
  ),
  /** Materials captured in the session (issue 15 §4), each a link of the recording chain; absent in older packages. */
  materials: z
    .array(
      z.object({
        file: z.string().startsWith('materials/'),
        name: z.string(),
        mediaType: z.string(),
        sha256: z.string(),
        offsetMs: z.number(),
        chainIndex: z.number().int().min(0),
        chainHash: z.string(),
      }),
    )
    .optional(),
  recording: z
    .object({
      sessionId: z.string(),
      /** Folder inside the zip holding the sealed manifest, its signature and the segments. */
      dir: z.string().startsWith('recording/'),
      status: z.string(),
    })
    .nullable(),
  audit: z.object({ file: z.literal(AUDIT_FILE), entries: z.number().int() }),
  crls: z.array(z.string().startsWith('certs/')),
});

export type PackageManifest = z.infer<typeof packageManifestSchema>;
