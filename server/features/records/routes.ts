// Flow C over HTTP: archive a signed case or ceremony, search and read records (auditors, admins;
// every read is audited by the router), legal hold and retention-guarded deletion (admins).
import { z } from 'zod';
import type { RecordService } from './RecordService.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import { caseFor, type CaseService } from '../cases/index.js';
import { ceremonyFor, type CeremonyService } from '../ceremony/index.js';
import { signingProgress, verifyWithPlatformTrust } from '../documents/index.js';
import type { RecordingService } from '../recording/index.js';
import type { SessionService } from '../sessions/index.js';

export interface RecordRoutesDeps {
  readonly blobs: BlobStore;
  readonly pki: SigningPki;
  readonly cases: CaseService;
  readonly ceremonies: CeremonyService;
  readonly sessions: SessionService;
  readonly records: RecordService;
  readonly recording: RecordingService;
}
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams, paging, slug } from '../../http/schemas.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/, 'expected an ISO date');


export function recordRoutes(deps: RecordRoutesDeps): RouteModule {
  return {
  name: 'records',
  register(api) {

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
        caseFor(deps, principal, 'case.archive', params.id);
        return deps.records.archiveCase(principal, params.id);
      },
    });

    api.route({
      method: 'post',
      path: '/api/ceremonies/:id/archive',
      summary: 'Archive a signed ceremony as a record (host)',
      tag: 'records',
      access: 'ceremony.host',
      params: idParams,
      status: 201,
      response: z.object({ recordId: z.string().uuid() }),
      handler: ({ principal, params }) => {
        ceremonyFor(deps, principal, 'ceremony.host', params.id);
        return deps.records.archiveCeremony(principal, params.id);
      },
    });

    api.route({
      method: 'get',
      path: '/api/records',
      summary: 'Search records: number/title/name text, site, matter, archive dates, participant',
      tag: 'records',
      access: 'record.read',
      query: z
        .object({
          q: z.string().trim().max(100).optional(),
          site: slug.optional(),
          matter: slug.optional(),
          from: isoDate.optional(),
          to: isoDate.optional(),
          participant: z.string().trim().max(100).optional(),
          ...paging,
        })
        .strict(),
      handler: ({ query }) => deps.records.search(query),
    });

    api.route({
      method: 'get',
      path: '/api/records/:id',
      summary: 'A record: documents with per-signature validation, recording integrity, snapshots, audit trail',
      tag: 'records',
      access: 'record.read',
      params: idParams,
      handler: async ({ params }) => {
        const parts = deps.records.parts(params.id);
        const documents = await Promise.all(
          parts.documents.map(async (d) => ({
            id: d.id,
            kind: d.kind,
            title: d.title,
            sha256: d.currentSha256,
            checkpoint: d.checkpoint,
            ...signingProgress(d),
            verification: verifyWithPlatformTrust(deps.pki, await deps.blobs.get(d.currentSha256)),
          })),
        );
        const recording = parts.record.sessionId ? await deps.recording.integrity(parts.record.sessionId) : null;
        return { record: parts.record, documents, snapshots: parts.snapshots, recording, session: parts.session ?? null, audit: parts.audit };
      },
    });

    api.route({
      method: 'put',
      path: '/api/records/:id/hold',
      summary: 'Set or clear the legal hold (admin)',
      tag: 'records',
      access: 'record.hold',
      params: idParams,
      body: z.object({ hold: z.boolean(), reason: z.string().trim().min(1).max(500).optional() }).strict(),
      handler: ({ principal, params, body }) => deps.records.setHold(principal, params.id, body.hold, body.reason ?? null),
    });

    api.route({
      method: 'delete',
      path: '/api/records/:id',
      summary: 'Delete a record whose retention has ended and that is not on hold (admin); otherwise 409, audited',
      tag: 'records',
      access: 'record.delete',
      params: idParams,
      response: z.object({ ok: z.literal(true) }),
      handler: ({ principal, params }) => {
        deps.records.delete(principal, params.id);
        return { ok: true as const };
      },
    });

  },
};
}
