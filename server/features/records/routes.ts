// Flow C over HTTP: archive a signed case or ceremony, search and read records (auditors, admins;
// every read is audited by the router), legal hold and retention-guarded deletion (admins).
import type { RecordService } from './RecordService.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import { caseFor, type CaseService } from '../cases/index.js';
import { ceremonyFor, type CeremonyService } from '../ceremony/index.js';
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
  readonly recordVerifications: RecordVerifications;
}
import type { RouteModule } from '../../http/RouteModule.js';
import type { RecordVerifications } from './RecordVerifications.js';
import { verifyRecord } from './record-verification.js';
import {
  deleteRecord,
  downloadRecordVerificationCsv,
  getRecord,
  getRecordTimeline,
  getRecordVerification,
  searchRecords,
  setRecordHold,
  startRecordVerification,
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
        handler: async ({ principal, params }) => {
          await caseFor(deps, principal, 'case.archive', params.id);
          return deps.records.archiveCase(principal, params.id);
        },
      });

      api.route({
        ...archiveCeremony,
        summary: 'Archive a signed ceremony as a record (host)',
        tag: 'records',
        access: 'ceremony.host',
        handler: async ({ principal, params }) => {
          await ceremonyFor(deps, principal, 'ceremony.host', params.id);
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
          const parts = await deps.records.parts(params.id);
          const { documents, recording } = await verifyRecord(deps, parts);
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
        handler: ({ principal, params, body }) => deps.records.setHold(principal, params.id, body.hold, body.reason),
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

      api.route({
        ...startRecordVerification,
        summary:
          'Verify every record of a search result (auditor): a job checking each record as its page does (progress: GET the job); audited',
        tag: 'records',
        access: 'record.verify_batch',
        handler: ({ principal, body }) => deps.recordVerifications.start(principal, body),
      });

      api.route({
        ...getRecordVerification,
        summary: 'Progress and rows of a batch verification (its auditor only)',
        tag: 'records',
        access: 'record.verify_batch',
        handler: ({ principal, params }) => deps.recordVerifications.job(principal, params.id),
      });

      api.route({
        ...downloadRecordVerificationCsv,
        summary: 'A finished batch verification as CSV (UTF-8 with BOM; columns in the README)',
        tag: 'records',
        access: 'record.verify_batch',
        handler: ({ res, principal, params }) => {
          const csv = deps.recordVerifications.csv(principal, params.id);
          res
            .type('text/csv; charset=utf-8')
            .setHeader('Content-Disposition', `attachment; filename="record-verification-${params.id}.csv"`);
          res.send(csv);
          return undefined;
        },
      });
    },
  };
}
