// Flow A over HTTP: snapshots, the identity confirmation, archiving the signed case.
import { z } from 'zod';
import type { UserPrincipal } from '../../kernel/principal.js';
import { checklistSchema } from './checklist.js';
import { SNAPSHOT_MAX_BYTES } from './IdentityFlow.js';
import { FlowServices } from '../../app/FlowServices.js';
import { caseFor } from '../cases/routes.js';
import { parseFields, readMultipart } from '../../http/multipart.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams } from '../../http/schemas.js';

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

export const identityRoutes: RouteModule = {
  name: 'identity',
  register(api, ctx) {
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
        caseFor(ctx, principal, 'snapshot.create', params.id);
        const { fields, file } = await readMultipart(req, res, { file: 'image', maxBytes: SNAPSHOT_MAX_BYTES });
        const { kind } = parseFields(z.object({ kind: z.enum(['face', 'id']) }).strict(), fields);
        const snap = await FlowServices.for(ctx).identity.addSnapshot(principal as UserPrincipal, params.id, kind, file);
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
        caseFor(ctx, principal, 'case.read', params.id);
        return { snapshots: FlowServices.for(ctx).identity.snapshots(params.id) };
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
        caseFor(ctx, principal, 'case.read', params.id);
        const snap = FlowServices.for(ctx).identity.snapshot(params.id, params.snapshotId);
        if (!snap) return void res.status(404).json({ error: { code: 'not_found', message: 'snapshot not found' } });
        res.type(snap.mediaType).send(await ctx.blobs.get(snap.sha256));
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
        caseFor(ctx, principal, 'identity.confirm', params.id);
        return FlowServices.for(ctx).identity.confirm(principal as UserPrincipal, params.id, body.checklist);
      },
    });

    api.route({
      method: 'post',
      path: '/api/cases/:id/archive',
      summary: 'Archive a signed case as a record (ends the session, seals the recording)',
      tag: 'records',
      access: 'case.archive',
      params: idParams,
      status: 201,
      response: z.object({ recordId: z.string().uuid() }),
      handler: ({ principal, params }) => {
        caseFor(ctx, principal, 'case.archive', params.id);
        return FlowServices.for(ctx).records.archiveCase(principal as UserPrincipal, params.id);
      },
    });
  },
};
