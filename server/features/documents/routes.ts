// Flow documents (身份核验确认书, agreements): the current PDF, its verification report, and ordered
// signing. Readers are the session's participants, auditors and admins.
import { GoneError } from '../../kernel/errors.js';
import { authorize, type Action } from '../../kernel/policy.js';
import type { Principal } from '../../kernel/principal.js';
import type { DocumentStore, FlowDocument } from './document-store.js';
import { DocumentSigning } from './DocumentSigning.js';
import { verifyWithPlatformTrust } from './verify-document.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import type { SessionService } from '../sessions/index.js';
import {
  getDocumentPdf,
  getDocumentStatus,
  getDocumentVerification,
  signDocument,
} from '../../../protocol/http/documents.js';

export interface DocumentRoutesDeps {
  readonly blobs: BlobStore;
  readonly pki: SigningPki;
  readonly sessions: SessionService;
  readonly documents: DocumentStore;
  readonly signing: DocumentSigning;
}

/** Loads the document (404) and checks `action` with the principal's participation (401/403). */
export async function documentFor(
  deps: { readonly documents: DocumentStore; readonly sessions: SessionService },
  principal: Principal | undefined,
  action: Action,
  id: string,
): Promise<FlowDocument> {
  const doc = await deps.documents.get(id);
  if (await deps.documents.isDestroyed(id)) throw new GoneError(`document ${id} was destroyed with its record`);
  const session = doc.sessionId ? await deps.sessions.find(doc.sessionId) : undefined;
  authorize(principal, action, {
    participant: !!session && !!principal && deps.sessions.isParticipant(principal, session),
  });
  return doc;
}

const signerView = (s: FlowDocument['signers'][number]) => ({
  position: s.position,
  role: s.role,
  name: s.displayName,
  siteId: s.siteId,
  signedAt: s.signedAt,
});

export function signingProgress(doc: FlowDocument) {
  const next = DocumentSigning.nextSigner(doc);
  return { status: doc.status, signatures: doc.signers.map(signerView), next: next ? signerView(next) : null };
}
export function documentRoutes(deps: DocumentRoutesDeps): RouteModule {
  return {
    name: 'documents',
    register(api) {
      api.route({
        ...getDocumentPdf,
        summary: 'The current (latest signed) PDF',
        tag: 'documents',
        access: 'document.read',
        personalData: { what: 'signed PDF', object: (p) => `document:${p.id}` },
        handler: async ({ res, principal, params }) => {
          const doc = await documentFor(deps, principal, 'document.read', params.id);
          res
            .type('application/pdf')
            .setHeader('Content-Disposition', `inline; filename="${doc.kind}-${doc.id.slice(0, 8)}.pdf"`);
          res.send(await deps.blobs.get(doc.currentSha256));
          return undefined;
        },
      });

      api.route({
        ...getDocumentStatus,
        summary: 'Signing order and progress',
        tag: 'documents',
        access: 'document.read',
        handler: async ({ principal, params }) => {
          const doc = await documentFor(deps, principal, 'document.read', params.id);
          return { id: doc.id, kind: doc.kind, title: doc.title, sha256: doc.currentSha256, ...signingProgress(doc) };
        },
      });

      api.route({
        ...getDocumentVerification,
        summary: 'Per-signature verification report (DESIGN §9 JSON plus problems)',
        tag: 'documents',
        access: 'document.read',
        personalData: { what: 'signature report (signer names)', object: (p) => `document:${p.id}` },
        handler: async ({ principal, params }) => {
          const doc = await documentFor(deps, principal, 'document.read', params.id);
          return await verifyWithPlatformTrust(deps.pki, await deps.blobs.get(doc.currentSha256));
        },
      });

      api.route({
        ...signDocument,
        summary:
          'Sign in turn: clerks and officials with their PIN, the applicant (guest) with a handwriting PNG data URL',
        tag: 'documents',
        access: 'document.sign',
        handler: async ({ principal, params, body }) => {
          await documentFor(deps, principal, 'document.sign', params.id);
          const outcome = await deps.signing.sign(principal, params.id, body);
          return signingProgress(outcome.document);
        },
      });
    },
  };
}
