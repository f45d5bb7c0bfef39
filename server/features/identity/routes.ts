// Flow A over HTTP: snapshots and the identity confirmation.
import type { IdentityService } from './IdentityService.js';
import { caseFor, type CaseService } from '../cases/index.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { NotFoundError } from '../../kernel/errors.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import { confirmIdentity, getSnapshotImage, listSnapshots, takeSnapshot } from '../../../protocol/http/identity.js';

export interface IdentityRoutesDeps {
  readonly blobs: BlobStore;
  readonly cases: CaseService;
  readonly identity: IdentityService;
}

export function identityRoutes(deps: IdentityRoutesDeps): RouteModule {
  return {
    name: 'identity',
    register(api) {
      api.route({
        ...takeSnapshot,
        summary:
          "Take a face or ID snapshot: the server grabs the frame of the applicant's recorded video at this instant and chains it into the recording",
        tag: 'identity',
        access: 'snapshot.create',
        handler: async ({ principal, params, body }) => {
          await caseFor(deps, principal, 'snapshot.create', params.id);
          const snap = await deps.identity.takeSnapshot(principal, params.id, body.kind);
          return {
            id: snap.id,
            sha256: snap.sha256,
            offsetMs: snap.offsetMs,
            kind: snap.kind,
            chainIndex: snap.chainIndex!,
            chainHash: snap.chainHash!,
          };
        },
      });

      api.route({
        ...listSnapshots,
        summary: "The case's snapshots (metadata)",
        tag: 'identity',
        access: 'case.read',
        personalData: { what: 'snapshot list', object: (p) => `case:${p.id}` },
        handler: async ({ principal, params }) => {
          await caseFor(deps, principal, 'case.read', params.id);
          return { snapshots: await deps.identity.snapshots(params.id) };
        },
      });

      api.route({
        ...getSnapshotImage,
        summary: 'One snapshot image',
        tag: 'identity',
        access: 'case.read',
        personalData: { what: 'snapshot image', object: (p) => `snapshot:${p.snapshotId}` },
        handler: async ({ res, principal, params }) => {
          await caseFor(deps, principal, 'case.read', params.id);
          const snap = await deps.identity.snapshot(params.id, params.snapshotId);
          if (!snap) throw new NotFoundError('snapshot');
          res.type(snap.mediaType).send(await deps.blobs.get(snap.sha256));
          return undefined;
        },
      });

      api.route({
        ...confirmIdentity,
        summary:
          'Confirm the identity: renders 身份核验确认书 and opens its signing (applicant → witness → handling clerk)',
        tag: 'identity',
        access: 'identity.confirm',
        handler: async ({ principal, params, body }) => {
          await caseFor(deps, principal, 'identity.confirm', params.id);
          return deps.identity.confirm(principal, params.id, body.checklist);
        },
      });
    },
  };
}
