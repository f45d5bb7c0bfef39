// Flow C over HTTP: archive a signed case or ceremony, search and read records (auditors, admins; every read is audited by the
// router), legal hold and retention-guarded deletion (admins), evidence packages (direct or as a
// job with progress).
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { ForbiddenError } from '../../kernel/errors.js';
import type { RecordRow } from './record-store.js';
import type { RecordService } from './RecordService.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import { caseFor, type CaseService } from '../cases/index.js';
import { ceremonyFor, type CeremonyService } from '../ceremony/index.js';
import { signingProgress, verifyWithPlatformTrust } from '../documents/index.js';
import type { EvidenceExporter } from '../evidence/index.js';
import type { RecordingService } from '../recording/index.js';
import type { SessionService } from '../sessions/index.js';

export interface RecordRoutesDeps {
  readonly blobs: BlobStore;
  readonly pki: SigningPki;
  readonly cases: CaseService;
  readonly ceremonies: CeremonyService;
  readonly sessions: SessionService;
  readonly records: RecordService;
  readonly evidence: EvidenceExporter;
  readonly recording: RecordingService;
}
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams, paging, slug } from '../../http/schemas.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/, 'expected an ISO date');
const jobSchema = z.object({
  id: z.string(),
  recordId: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  progress: z.number(),
  sha256: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

/** Streams a package; a failure half-way can only cut the response short (its headers are out). */
async function sendZip(res: import('express').Response, record: RecordRow, zip: Readable, size?: number): Promise<undefined> {
  res.type('application/zip').setHeader('Content-Disposition', `attachment; filename="evidence-${record.number}.zip"`);
  if (size !== undefined) res.setHeader('Content-Length', String(size));
  await pipeline(zip, res).catch(() => res.destroy());
  return undefined;
}

export function recordRoutes(deps: RecordRoutesDeps): RouteModule {
  return {
  name: 'records',
  register(api) {
    const jobOwner = (principal: Principal | undefined, requestedBy: string) => {
      if (principal?.kind !== 'user' || (principal.role !== 'admin' && actorOf(principal) !== requestedBy)) throw new ForbiddenError();
    };

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

    api.route({
      method: 'get',
      path: '/api/records/:id/evidence.zip',
      summary: 'The evidence package, built and streamed now (DESIGN §6)',
      tag: 'evidence',
      access: 'evidence.export',
      params: idParams,
      produces: 'application/zip',
      handler: async ({ res, principal, params }) => {
        const record = deps.records.store.get(params.id);
        const pkg = await deps.evidence.prepare(params.id, actorOf(principal));
        return sendZip(res, record, pkg.zip());
      },
    });

    api.route({
      method: 'post',
      path: '/api/records/:id/evidence',
      summary: 'Start an evidence export job (progress: GET the job, or socket.io `evidence:progress`)',
      tag: 'evidence',
      access: 'evidence.export',
      params: idParams,
      status: 202,
      response: jobSchema,
      handler: ({ principal, params }) => deps.evidence.start(principal, params.id),
    });

    api.route({
      method: 'get',
      path: '/api/evidence-jobs/:id',
      summary: 'Progress of an evidence export job',
      tag: 'evidence',
      access: 'evidence.export',
      params: idParams,
      response: jobSchema,
      handler: ({ principal, params }) => {
        const { job, requestedBy } = deps.evidence.jobWithOwner(params.id);
        jobOwner(principal, requestedBy);
        return job;
      },
    });

    api.route({
      method: 'get',
      path: '/api/evidence-jobs/:id/download',
      summary: 'Download a finished evidence package',
      tag: 'evidence',
      access: 'evidence.export',
      params: idParams,
      produces: 'application/zip',
      handler: async ({ res, principal, params }) => {
        const { requestedBy } = deps.evidence.jobWithOwner(params.id);
        jobOwner(principal, requestedBy);
        const { job, size, zip } = await deps.evidence.download(params.id);
        return sendZip(res, deps.records.store.get(job.recordId), zip, size);
      },
    });
  },
};
}
