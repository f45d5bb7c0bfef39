// Flow A over HTTP: snapshots and the identity confirmation.
import { SNAPSHOT_MAX_BYTES, type IdentityService } from './IdentityService.js';
import { caseFor, type CaseService } from '../cases/index.js';
import { parseFields, readMultipart } from '../../http/multipart.js';
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
        summary: 'Capture a face or ID snapshot (multipart: kind=face|id, image PNG/JPEG ≤ 5 MiB)',
        tag: 'identity',
        access: 'snapshot.create',
        handler: async ({ req, res, principal, params }) => {
          caseFor(deps, principal, 'snapshot.create', params.id);
          const { fields, file } = await readMultipart(req, res, {
            file: takeSnapshot.multipart.file,
            maxBytes: SNAPSHOT_MAX_BYTES,
          });
          const { kind } = parseFields(takeSnapshot.multipart.fields, fields);
          const snap = await deps.identity.addSnapshot(principal, params.id, kind, file);
          return { id: snap.id, sha256: snap.sha256, offsetMs: snap.offsetMs, kind: snap.kind };
        },
      });

      api.route({
        ...listSnapshots,
        summary: "The case's snapshots (metadata)",
        tag: 'identity',
        access: 'case.read',
        personalData: { what: 'snapshot list', object: (p) => `case:${p.id}` },
        handler: ({ principal, params }) => {
          caseFor(deps, principal, 'case.read', params.id);
          return { snapshots: deps.identity.snapshots(params.id) };
        },
      });

      api.route({
        ...getSnapshotImage,
        summary: 'One snapshot image',
        tag: 'identity',
        access: 'case.read',
        personalData: { what: 'snapshot image', object: (p) => `snapshot:${p.snapshotId}` },
        handler: async ({ res, principal, params }) => {
          caseFor(deps, principal, 'case.read', params.id);
          const snap = deps.identity.snapshot(params.id, params.snapshotId);
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
        handler: ({ principal, params, body }) => {
          caseFor(deps, principal, 'identity.confirm', params.id);
          return deps.identity.confirm(principal, params.id, body.checklist);
        },
      });
    },
  };
}
