// Evidence packages over HTTP: streamed now (GET …/evidence.zip), or as a job whose progress is
// polled or pushed over socket.io (`evidence:progress`) and whose package is downloaded when done.
import type { Response } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RouteModule } from '../../http/RouteModule.js';
import { ForbiddenError } from '../../kernel/errors.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import type { RecordService } from '../records/index.js';
import type { EvidenceExporter } from './EvidenceExporter.js';
import {
  downloadEvidence,
  downloadEvidenceJob,
  downloadRedactedVideo,
  getEvidenceJob,
  startEvidenceJob,
  startRedactedVideo,
} from '../../../protocol/http/records.js';

export interface EvidenceRoutesDeps {
  readonly records: RecordService;
  readonly evidence: EvidenceExporter;
}

/** Streams a package; a failure half-way can only cut the response short (its headers are out). */
async function sendZip(
  res: Response,
  record: { readonly number: string },
  zip: Readable,
  size?: number,
): Promise<undefined> {
  res.type('application/zip').setHeader('Content-Disposition', `attachment; filename="evidence-${record.number}.zip"`);
  if (size !== undefined) res.setHeader('Content-Length', String(size));
  await pipeline(zip, res).catch(() => res.destroy());
  return undefined;
}

export function evidenceRoutes(deps: EvidenceRoutesDeps): RouteModule {
  return {
    name: 'evidence',
    register(api) {
      const jobOwner = (principal: Principal | undefined, requestedBy: string) => {
        if (principal?.kind !== 'user' || (principal.role !== 'admin' && actorOf(principal) !== requestedBy))
          throw new ForbiddenError();
      };

      api.route({
        ...downloadEvidence,
        summary: 'The evidence package, built and streamed now (DESIGN §6)',
        tag: 'evidence',
        access: 'evidence.export',
        personalData: { what: 'evidence package', object: (p) => `record:${p.id}` },
        handler: async ({ res, principal, params }) => {
          const record = await deps.records.store.get(params.id);
          const pkg = await deps.evidence.prepare(params.id, actorOf(principal));
          return sendZip(res, record, pkg.zip());
        },
      });

      api.route({
        ...startEvidenceJob,
        summary: 'Start an evidence export job (progress: GET the job, or socket.io `evidence:progress`)',
        tag: 'evidence',
        access: 'evidence.export',
        handler: ({ principal, params }) => deps.evidence.start(principal, params.id),
      });

      api.route({
        ...getEvidenceJob,
        summary: 'Progress of an evidence export job',
        tag: 'evidence',
        access: 'evidence.export',
        handler: async ({ principal, params }) => {
          const { job, requestedBy } = await deps.evidence.jobWithOwner(params.id);
          jobOwner(principal, requestedBy);
          return job;
        },
      });

      api.route({
        ...downloadEvidenceJob,
        summary: 'Download a finished evidence package',
        tag: 'evidence',
        access: 'evidence.export',
        personalData: { what: 'evidence package', object: (p) => `evidence-job:${p.id}` },
        handler: async ({ res, principal, params }) => {
          const { requestedBy } = await deps.evidence.jobWithOwner(params.id);
          jobOwner(principal, requestedBy);
          const { job, size, zip } = await deps.evidence.download(params.id);
          return sendZip(res, await deps.records.store.get(job.recordId), zip, size);
        },
      });

      api.route({
        ...startRedactedVideo,
        summary:
          "Start rendering a redacted copy of the playback video: the applicant's tile blurred around each ID snapshot and in the given spans (progress as for evidence jobs)",
        tag: 'evidence',
        access: 'evidence.export',
        handler: ({ principal, params, body }) => deps.evidence.startRedactedVideo(principal, params.id, body.windows),
      });

      api.route({
        ...downloadRedactedVideo,
        summary: 'Download a finished redacted playback video (MP4)',
        tag: 'evidence',
        access: 'evidence.export',
        personalData: { what: 'redacted recording video', object: (p) => `evidence-job:${p.id}` },
        handler: async ({ res, principal, params }) => {
          const { requestedBy } = await deps.evidence.jobWithOwner(params.id);
          jobOwner(principal, requestedBy);
          const { job, size, zip: video } = await deps.evidence.download(params.id, 'redacted_video');
          const { number } = await deps.records.store.get(job.recordId);
          res.type('video/mp4').setHeader('Content-Disposition', `attachment; filename="redacted-${number}.mp4"`);
          res.setHeader('Content-Length', String(size));
          await pipeline(video, res).catch(() => res.destroy());
          return undefined;
        },
      });
    },
  };
}
