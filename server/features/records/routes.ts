// Flow C over HTTP: archive a signed case or ceremony, search and read records (auditors, admins;
// every read is audited by the router), legal hold and retention-guarded deletion (admins).
import type { RecordService } from './RecordService.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import { caseFor, type CaseService } from '../cases/index.js';
import { ceremonyFor, type CeremonyService } from '../ceremony/index.js';
import { verifyWithPlatformTrust } from '../documents/index.js';
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
import { signingProgress } from '../documents/index.js';
import {
  deleteRecord,
  getRecord,
  getRecordTimeline,
  searchRecords,
  setRecordHold,
} from '../../../protocol/http/records.js';
import { archiveCase } from '../../../protocol/http/identity.js';
import { archiveCeremony } from '../../../protocol/http/ceremonies.js';

export function recordRoutes(deps: RecordRoutesDeps): RouteModule {
  return {
    name: 'records',
    register(api) {
      api.route({
        ...archiveCase,
        summary: 'Archive a signed case as a record (ends the session, seals the recording)',
        tag: 'records',
        access: 'case.archive',
        handler: ({ principal, params }) => {
          caseFor(deps, principal, 'case.archive', params.id);
          return deps.records.archiveCase(principal, params.id);
        },
      });

      api.route({
        ...archiveCeremony,
        summary: 'Archive a signed ceremony as a record (host)',
        tag: 'records',
        access: 'ceremony.host',
        handler: ({ principal, params }) => {
          ceremonyFor(deps, principal, 'ceremony.host', params.id);
          return deps.records.archiveCeremony(principal, params.id);
        },
      });

      api.route({
        ...searchRecords,
        summary: 'Search records: number/title/name text, site, matter, archive dates, participant',
        tag: 'records',
        access: 'record.read',
        personalData: { what: 'record search (participant names)', object: () => 'records' },
        handler: ({ query }) => deps.records.search(query),
      });

      api.route({
        ...getRecord,
        summary: 'A record: documents with per-signature validation, recording integrity, snapshots, audit trail',
        tag: 'records',
        access: 'record.read',
        personalData: { what: 'record detail (documents, snapshots, participants)', object: (p) => `record:${p.id}` },
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
          return {
            record: parts.record,
            documents,
            snapshots: parts.snapshots,
            recording,
            session: parts.session ?? null,
            audit: parts.audit,
          };
        },
      });

      api.route({
        ...getRecordTimeline,
        summary:
          'Marks on the playback video: consent, joins and leaves, snapshots, signatures (ms from the composite start)',
        tag: 'records',
        access: 'record.read',
        personalData: { what: 'record timeline (participants, times)', object: (p) => `record:${p.id}` },
        handler: ({ params }) => deps.records.timeline(params.id),
      });

      api.route({
        ...setRecordHold,
        summary: 'Set or clear the legal hold (admin)',
        tag: 'records',
        access: 'record.hold',
        handler: ({ principal, params, body }) =>
          deps.records.setHold(principal, params.id, body.hold, body.reason ?? null),
      });

      api.route({
        ...deleteRecord,
        summary:
          'Delete a record whose retention has ended and that is not on hold (admin), destroying its PDFs, snapshots, evidence packages and recording files; otherwise 409, audited',
        tag: 'records',
        access: 'record.delete',
        handler: async ({ principal, params }) => {
          await deps.records.delete(principal, params.id);
          return { ok: true as const };
        },
      });
    },
  };
}
