// Materials over HTTP: the originating clerk uploads a file or takes a camera frame; staff of the
// case's sites and auditors list and read them.
import type { RouteModule } from '../../http/RouteModule.js';
import { parseFields, readMultipart } from '../../http/multipart.js';
import { NotFoundError } from '../../kernel/errors.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import { caseFor, type CaseService } from '../cases/index.js';
import {
  captureMaterial,
  getMaterialFile,
  listMaterials,
  MATERIAL_MAX_BYTES,
  uploadMaterial,
} from '../../../protocol/http/materials.js';
import type { MaterialService } from './MaterialService.js';

export interface MaterialRoutesDeps {
  readonly blobs: BlobStore;
  readonly cases: CaseService;
  readonly materials: MaterialService;
}

export function materialRoutes(deps: MaterialRoutesDeps): RouteModule {
  return {
    name: 'materials',
    register(api) {
      api.route({
        ...uploadMaterial,
        summary:
          'Upload a material (multipart: file JPEG/PNG/PDF, type read from the bytes; name); chained into the recording',
        tag: 'identity',
        access: 'material.create',
        handler: async ({ req, res, principal, params }) => {
          await caseFor(deps, principal, 'material.create', params.id);
          const { fields, file } = await readMultipart(req, res, {
            file: uploadMaterial.multipart.file,
            maxBytes: MATERIAL_MAX_BYTES,
          });
          const { name } = parseFields(uploadMaterial.multipart.fields, fields);
          return deps.materials.upload(principal, params.id, name, file);
        },
      });

      api.route({
        ...captureMaterial,
        summary: "A material from a participant's camera: the server takes the frame from the recording and chains it",
        tag: 'identity',
        access: 'material.create',
        handler: async ({ principal, params, body }) => {
          await caseFor(deps, principal, 'material.create', params.id);
          return deps.materials.fromCamera(principal, params.id, body.name, body.participantId);
        },
      });

      api.route({
        ...listMaterials,
        summary: "The case's materials (metadata)",
        tag: 'identity',
        access: 'case.read',
        personalData: { what: 'material list', object: (p) => `case:${p.id}` },
        handler: async ({ principal, params }) => {
          await caseFor(deps, principal, 'case.read', params.id);
          return { materials: await deps.materials.list(params.id) };
        },
      });

      api.route({
        ...getMaterialFile,
        summary: 'One material file',
        tag: 'identity',
        access: 'case.read',
        personalData: { what: 'material file', object: (p) => `material:${p.materialId}` },
        handler: async ({ res, principal, params }) => {
          await caseFor(deps, principal, 'case.read', params.id);
          const m = await deps.materials.get(params.id, params.materialId);
          if (!m) throw new NotFoundError('material');
          res.type(m.mediaType).send(await deps.blobs.get(m.sha256));
          return undefined;
        },
      });
    },
  };
}
