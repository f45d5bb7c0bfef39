// Flow A over HTTP: snapshots, the identity confirmation, archiving the signed case.
import { z } from 'zod';
import { archivedRecord, idParams, route } from '../common.js';

export const snapshotKinds = ['face', 'id'] as const;
export const snapshotKind = z.enum(snapshotKinds);

export const snapshot = z.object({
  id: z.string().uuid(),
  caseId: z.string(),
  sessionId: z.string(),
  kind: snapshotKind,
  mediaType: z.enum(['image/png', 'image/jpeg']),
  sha256: z.string(),
  bytes: z.number().int(),
  offsetMs: z.number().int(),
  takenBy: z.string(),
  takenAt: z.string(),
  /** The recording chain link that holds the image (the server takes it from the recording). */
  chainIndex: z.number().int().nullable(),
  chainHash: z.string().nullable(),
  sourceSegment: z.number().int().nullable(),
});
export type Snapshot = z.infer<typeof snapshot>;

/** Which snapshot to take: the server grabs the frame from the applicant's recorded video (no upload). */
export const takeSnapshotBody = z.object({ kind: snapshotKind }).strict();
export const snapshotTaken = z.object({
  id: z.string().uuid(),
  sha256: z.string(),
  offsetMs: z.number().int(),
  kind: snapshotKind,
  chainIndex: z.number().int(),
  chainHash: z.string(),
});
export type SnapshotTaken = z.infer<typeof snapshotTaken>;
export const snapshotList = z.object({ snapshots: z.array(snapshot) });

export const snapshotParams = z.object({ id: z.string().uuid(), snapshotId: z.string().uuid() }).strict();

/** Every item must be ticked before the handling clerk may confirm (DESIGN §1, flow A step 4). */
export const checklist = z
  .object({
    faceVisible: z.boolean(),
    idFrontShown: z.boolean(),
    idBackShown: z.boolean(),
    statedNameAndPurpose: z.boolean(),
  })
  .strict();
export type Checklist = z.infer<typeof checklist>;
export type ChecklistKey = keyof Checklist;

export const confirmIdentityBody = z.object({ checklist }).strict();
export const confirmedIdentity = z.object({ documentId: z.string().uuid() });

export const takeSnapshot = route({
  method: 'post',
  path: '/api/cases/:id/snapshots',
  params: idParams,
  body: takeSnapshotBody,
  response: snapshotTaken,
  status: 201,
});
export const listSnapshots = route({
  method: 'get',
  path: '/api/cases/:id/snapshots',
  params: idParams,
  response: snapshotList,
});
export const getSnapshotImage = route({
  method: 'get',
  path: '/api/cases/:id/snapshots/:snapshotId',
  params: snapshotParams,
  produces: 'image/*',
});
export const confirmIdentity = route({
  method: 'post',
  path: '/api/cases/:id/confirm-identity',
  params: idParams,
  body: confirmIdentityBody,
  response: confirmedIdentity,
  status: 201,
});
export const archiveCase = route({
  method: 'post',
  path: '/api/cases/:id/archive',
  params: idParams,
  response: archivedRecord,
  status: 201,
});
