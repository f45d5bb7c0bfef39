// Flow A over HTTP: snapshots and the identity confirmation.
import { z } from 'zod';
import { checklistSchema } from './checklist.js';
import { SNAPSHOT_MAX_BYTES, type IdentityService } from './IdentityService.js';
import { caseFor, type CaseService } from '../cases/index.js';
import { parseFields, readMultipart } from '../../http/multipart.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams } from '../../http/schemas.js';
import { NotFoundError } from '../../kernel/errors.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';

export interface IdentityRoutesDeps {
  readonly blobs: BlobStore;
  readonly cases: CaseService;
  readonly identity: IdentityService;
}

const snapshotSchema = z.object({
  id: z.string().uuid(),
  kind: z.enum(['face', 'id']),
  mediaType: z.enum(['image/png', 'image/jpeg']),
  sha256: z.string(),
  bytes: z.number().int(),
  offsetMs: z.number().int(),
  takenBy: z.string(),
  takenAt: z.string(),
});

export function identityRoutes(deps: IdentityRoutesDeps): RouteModule {
  return {
  name: 'identity',
  register(api) {
    api.route({
      method: 'post',
      path: '/api/cases/:id/snapshots',
      summary: 'Capture a face or ID snapshot (multipart: kind=face|id, image PNG/JPEG ≤ 5 MiB)',
      tag: 'identity',
      access: 'snapshot.create',
      params: idParams,
      status: 201,
      response: z.object({ id: z.string().uuid(), sha256: z.string(), offsetMs: z.number().int(), kind: z.enum(['face', 'id']) }),
      handler: async ({ req, res, principal, params }) => {
        caseFor(deps, principal, 'snapshot.create', params.id);
        const { fields, file } = await readMultipart(req, res, { file: 'image', maxBytes: SNAPSHOT_MAX_BYTES });
        const { kind } = parseFields(z.object({ kind: z.enum(['face', 'id']) }).strict(), fields);
        const snap = await deps.identity.addSnapshot(principal, params.id, kind, file);
        return { id: snap.id, sha256: snap.sha256, offsetMs: snap.offsetMs, kind: snap.kind };
      },
    });

    api.route({
      method: 'get',
      path: '/api/cases/:id/snapshots',
      summary: "The case's snapshots (metadata)",
      tag: 'identity',
      access: 'case.read',
      params: idParams,
      response: z.object({ snapshots: z.array(snapshotSchema) }),
      handler: ({ principal, params }) => {
        caseFor(deps, principal, 'case.read', params.id);
        return { snapshots: deps.identity.snapshots(params.id) };
      },
    });

    api.route({
      method: 'get',
      path: '/api/cases/:id/snapshots/:snapshotId',
      summary: 'One snapshot image',
      tag: 'identity',
      access: 'case.read',
      params: z.object({ id: z.string().uuid(), snapshotId: z.string().uuid() }).strict(),
      produces: 'image/*',
      handler: async ({ res, principal, params }) => {
        caseFor(deps, principal, 'case.read', params.id);
        const snap = deps.identity.snapshot(params.id, params.snapshotId);
        if (!snap) throw new NotFoundError('snapshot');
        res.type(snap.mediaType).send(await deps.blobs.get(snap.sha256));
        return undefined;
      },
    });

    api.route({
      method: 'post',
      path: '/api/cases/:id/confirm-identity',
      summary: 'Confirm the identity: renders 身份核验确认书 and opens its signing (applicant → witness → handling clerk)',
      tag: 'identity',
      access: 'identity.confirm',
      params: idParams,
      body: z.object({ checklist: checklistSchema }).strict(),
      status: 201,
      response: z.object({ documentId: z.string().uuid() }),
      handler: ({ principal, params, body }) => {
        caseFor(deps, principal, 'identity.confirm', params.id);
        return deps.identity.confirm(principal, params.id, body.checklist);
      },
    });

  },
};
}
