// Materials (issue 15 §4): the applicant's papers captured by the originating clerk during the
// session, a frame from a camera in the room or an uploaded JPEG/PNG/PDF; each chained into the recording.
import { z } from 'zod';
import { idParams, route } from '../common.js';

export const materialTypes = ['image/jpeg', 'image/png', 'application/pdf'] as const;
/** Upload bound: a scanned page or a short PDF, not an archive. */
export const MATERIAL_MAX_BYTES = 10 * 1024 * 1024;

export const material = z.object({
  id: z.string().uuid(),
  caseId: z.string(),
  sessionId: z.string(),
  name: z.string(),
  mediaType: z.enum(materialTypes),
  source: z.enum(['upload', 'camera']),
  sha256: z.string(),
  bytes: z.number().int(),
  offsetMs: z.number().int(),
  chainIndex: z.number().int(),
  chainHash: z.string(),
  takenBy: z.string(),
  takenAt: z.string(),
});
export type Material = z.infer<typeof material>;
export const materialList = z.object({ materials: z.array(material) });

const materialName = z.string().trim().min(1).max(100);
/** The text fields of an upload (the file is the `file` part). */
export const materialFields = z.object({ name: materialName }).strict();
/** A frame from the camera of a participant in the room (e.g. the document camera at the 帮办 desk). */
export const cameraMaterialBody = z.object({ name: materialName, participantId: z.string().min(1).max(200) }).strict();
export const materialParams = z.object({ id: z.string().uuid(), materialId: z.string().uuid() }).strict();

export const uploadMaterial = route({
  method: 'post',
  path: '/api/cases/:id/materials',
  params: idParams,
  multipart: { file: 'file', fields: materialFields },
  response: material,
  status: 201,
});
export const captureMaterial = route({
  method: 'post',
  path: '/api/cases/:id/materials/camera',
  params: idParams,
  body: cameraMaterialBody,
  response: material,
  status: 201,
});
export const listMaterials = route({
  method: 'get',
  path: '/api/cases/:id/materials',
  params: idParams,
  response: materialList,
});
export const getMaterialFile = route({
  method: 'get',
  path: '/api/cases/:id/materials/:materialId',
  params: materialParams,
  produces: '*/*',
});
