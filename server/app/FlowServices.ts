// The flows' services, built once per app from its AppContext (route modules and the realtime
// plugin share them). The platform PKI is the app's PlatformPki; the recorder is attached by the
// media plugin when it runs (without it, checkpoints are the session clock at the chain's genesis).
import { readFileSync } from 'node:fs';
import type { AppContext } from './context.js';
import { AppError } from '../kernel/errors.js';
import { CeremonyFlow } from '../features/ceremony/CeremonyFlow.js';
import type { FlowsPki, FlowsRecorder } from '../features/documents/deps.js';
import { NOTO_SANS_CJK_TTC } from '../features/documents/cjk-font.js';
import { DocumentStore } from '../features/documents/document-store.js';
import { DocumentSigning } from '../features/documents/DocumentSigning.js';
import { EvidenceExporter } from '../features/evidence/EvidenceExporter.js';
import { IdentityFlow } from '../features/identity/IdentityFlow.js';
import { RecordService } from '../features/records/RecordService.js';
import '../kernel/flow-policies.js';

const instances = new WeakMap<AppContext, FlowServices>();
const pkiMethods = ['issueEventCertificate', 'eventSigner', 'unlockUserSigner', 'sealSigner', 'timeStamper', 'trustAnchors', 'caCertificates', 'crls'];

let font: Uint8Array | undefined;
const cjkFont = () => (font ??= new Uint8Array(readFileSync(NOTO_SANS_CJK_TTC)));

export class FlowServices {
  readonly documents: DocumentStore;
  readonly signing: DocumentSigning;
  readonly identity: IdentityFlow;
  readonly ceremonies: CeremonyFlow;
  readonly records: RecordService;
  readonly evidence: EvidenceExporter;
  readonly pki: FlowsPki;
  #recorder: FlowsRecorder | undefined;

  private constructor(ctx: AppContext, pki: FlowsPki) {
    const { db, clock, audit, blobs, cases, sessions, catalog, users } = ctx;
    this.pki = pki;
    this.documents = new DocumentStore(db);
    this.signing = new DocumentSigning({
      store: this.documents,
      blobs,
      pki,
      clock,
      audit,
      pinLimiter: ctx.limiters.pin,
      font: cjkFont(),
      siteName: (id) => (id && catalog.hasSite(id) ? catalog.site(id).name : undefined),
    });
    const recorder = () => this.#recorder;
    this.identity = new IdentityFlow({ db, clock, audit, blobs, cases, sessions, documents: this.documents, pki, recorder, font: cjkFont() });
    this.ceremonies = new CeremonyFlow({ db, clock, audit, blobs, users, sessions, ceremonies: ctx.ceremonies, documents: this.documents, signing: this.signing });
    this.records = new RecordService({
      db,
      clock,
      audit,
      cases,
      catalog,
      sessions,
      ceremonies: ctx.ceremonies,
      documents: this.documents,
      identity: this.identity,
      ceremonyFlow: this.ceremonies,
      recorder,
    });
    this.evidence = new EvidenceExporter({ db, clock, audit, blobs, records: this.records, pki, matterName: (id) => catalog.matter(id).name });
    // The last signature of an identity document completes the case's signing; a case cancelled
    // or rejected before that takes its unfinished documents with it.
    this.signing.on('completed', (doc) => {
      if (doc.kind === 'identity' && doc.caseId) cases.transition(undefined, doc.caseId, 'signed', `document ${doc.id}`);
    });
    cases.onChange((c) => {
      if (c.status !== 'cancelled' && c.status !== 'rejected') return;
      for (const doc of this.documents.forCase(c.id)) if (doc.status === 'signing') this.signing.abort(doc.id);
    });
  }

  static for(ctx: AppContext): FlowServices {
    let flows = instances.get(ctx);
    if (!flows) {
      const pki = ctx.pki as unknown as Partial<FlowsPki> | undefined;
      if (!pki || pkiMethods.some((m) => typeof (pki as Record<string, unknown>)[m] !== 'function')) {
        throw new AppError('pki_unavailable', 'the platform PKI is not available', 503);
      }
      flows = new FlowServices(ctx, pki as FlowsPki);
      instances.set(ctx, flows);
    }
    return flows;
  }

  useRecorder(recorder: FlowsRecorder | undefined): void {
    this.#recorder = recorder;
  }
}
