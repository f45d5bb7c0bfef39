// The retention console over HTTP: settings (auditors and admins read, admins change), the preview
// of what the retention sweep destroys now, running it now (admins); and a record's long-term
// validation renewals. Every change is audited by the service; preview reads by the router.
import type { RouteModule } from '../../http/RouteModule.js';
import type { CatalogService } from '../catalog/index.js';
import type { LtvRenewer } from './ltv-renewal.js';
import type { RecordService } from './RecordService.js';
import type { Doomed } from './retention.js';
import {
  getRetention,
  listLtvRenewals,
  previewDeletion,
  runDeletion,
  setCeremonyRetention,
  setMatterRetention,
  type DeletionPreview,
} from '../../../protocol/http/retention.js';
import { actorOf } from '../../kernel/principal.js';

export interface RetentionRoutesDeps {
  readonly records: RecordService;
  readonly catalog: CatalogService;
  readonly ltv: LtvRenewer;
  readonly config: { readonly limits: { readonly retentionSweepIntervalMs: number } };
  readonly clock: () => Date;
}

export function retentionRoutes(deps: RetentionRoutesDeps): RouteModule {
  const settings = async () => ({
    matters: (await deps.catalog.matters()).map((m) => ({
      id: m.id,
      name: m.name,
      nameEn: m.nameEn,
      retentionDays: m.retentionDays,
    })),
    ceremonyKinds: await deps.records.ceremonyRetention.all(),
    holds: await deps.records.store.held(),
    sweepIntervalMs: deps.config.limits.retentionSweepIntervalMs,
  });
  return {
    name: 'retention',
    register(api) {
      api.route({
        ...getRetention,
        summary: 'Retention per matter and per ceremony kind, and the records under legal hold',
        tag: 'retention',
        access: 'retention.read',
        personalData: { what: 'records under legal hold (titles)', object: () => 'records' },
        handler: () => settings(),
      });

      api.route({
        ...setMatterRetention,
        summary: "Set a matter's retention (admin); its live records' end of retention moves with it",
        tag: 'retention',
        access: 'retention.manage',
        handler: async ({ principal, params, body }) => {
          await deps.records.setMatterRetention(principal, params.id, body.retentionDays);
          return settings();
        },
      });

      api.route({
        ...setCeremonyRetention,
        summary: "Set a ceremony kind's retention (admin); its live records' end of retention moves with it",
        tag: 'retention',
        access: 'retention.manage',
        handler: async ({ principal, params, body }) => {
          await deps.records.setCeremonyRetention(principal, params.kind, body.retentionDays);
          return settings();
        },
      });

      api.route({
        ...previewDeletion,
        summary:
          'What the retention sweep deletes now: records past retention and not held, with their blobs and recording bytes',
        tag: 'retention',
        access: 'retention.read',
        personalData: { what: 'retention deletion preview (record titles)', object: () => 'records' },
        handler: async () => preview(await deps.records.deletionPreview(), deps.clock()),
      });

      api.route({
        ...runDeletion,
        summary: 'Run the retention sweep now (admin): deletes what the preview lists, audited',
        tag: 'retention',
        access: 'retention.manage',
        handler: ({ principal }) => deps.records.sweep(actorOf(principal)),
      });

      api.route({
        ...listLtvRenewals,
        summary: "A record's long-term validation renewals (date, TSA, reason)",
        tag: 'records',
        access: 'record.read',
        handler: async ({ params }) => {
          await deps.records.store.get(params.id);
          return { renewals: await deps.ltv.history(params.id) };
        },
      });
    },
  };
}

function preview(plan: readonly Doomed[], at: Date): DeletionPreview {
  const records = plan.map((d) => ({
    record: {
      id: d.record.id,
      kind: d.record.kind,
      number: d.record.number,
      title: d.record.title,
      archivedAt: d.record.archivedAt,
      retainUntil: d.record.retainUntil,
    },
    blobs: d.blobs.length,
    blobBytes: d.blobs.reduce((n, b) => n + b.bytes, 0),
    recordingFiles: d.recording.files,
    recordingBytes: d.recording.bytes,
  }));
  const sum = (key: 'blobs' | 'blobBytes' | 'recordingFiles' | 'recordingBytes') =>
    records.reduce((n, r) => n + r[key], 0);
  return {
    at: at.toISOString(),
    records,
    totals: {
      records: records.length,
      blobs: sum('blobs'),
      blobBytes: sum('blobBytes'),
      recordingFiles: sum('recordingFiles'),
      recordingBytes: sum('recordingBytes'),
    },
  };
}
