// Ordered, incremental signing of a flow document. Each signer in turn adds a visible PAdES B-T
// signature as an incremental update (earlier signatures stay valid); after the last one the
// platform adds the DSS (B-LT) and a document timestamp (B-LTA). Out-of-turn or repeated signing
// is a 409; someone who is not a signer gets 403. The applicant slot is bound to the one invited guest
// who joined the session: no other principal, staff or guest, can fill it.
import { EventEmitter } from 'node:events';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { RateLimiter } from '../auth/index.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import { AppError, BadRequestError, ConflictError, ForbiddenError } from '../../kernel/errors.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import { signPdf } from '../../../signing/sign/sign-pdf.js';
import { addDss } from '../../../signing/sign/dss.js';
import { addDocumentTimestamp } from '../../../signing/sign/document-timestamp.js';
import type { Signer } from '../../../certs/types.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import type { DocumentSigner, DocumentStore, FlowDocument, SignerRole } from './document-store.js';
import { KeyedMutex } from './KeyedMutex.js';
import { pngFromDataUrl } from './images.js';
import { SigningError } from '../../../signing/errors.js';

// Its data URL must fit the JSON body limit (256 KiB by default) with room to spare.
export const HANDWRITING_MAX_BYTES = 160 * 1024;

export interface SignInput {
  readonly pin?: string;
  /** PNG data URL of the handwritten signature (applicants). */
  readonly handwriting?: string;
}

export interface SignOutcome {
  readonly document: FlowDocument;
  readonly signer: DocumentSigner;
  readonly next: DocumentSigner | null;
}

const roleLabel: Record<SignerRole, string> = {
  applicant: '申请人 applicant',
  witness: '帮办员（见证） witness',
  confirmer: '受理员（确认） confirmation',
  official: '签约官员 official',
};

const reasonFor: Record<SignerRole, string> = {
  applicant: '本人确认以上信息真实 / I confirm my identity',
  witness: '现场见证 / witnessed in person',
  confirmer: '远程身份核验确认 / identity confirmed',
  official: '同意并签署 / agreed and signed',
};

export interface DocumentSigningDeps {
  readonly store: DocumentStore;
  readonly blobs: BlobStore;
  readonly pki: SigningPki;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly pinLimiter: RateLimiter;
  readonly font: Uint8Array;
  readonly siteName: (siteId: string | null) => Promise<string | undefined>;
}

export class DocumentSigning extends EventEmitter<{ signed: [SignOutcome]; completed: [FlowDocument] }> {
  readonly #deps: DocumentSigningDeps;
  readonly #mutex = new KeyedMutex();

  constructor(deps: DocumentSigningDeps) {
    super();
    this.#deps = deps;
  }

  static nextSigner(doc: FlowDocument): DocumentSigner | null {
    return doc.status === 'signing' ? (doc.signers.find((s) => s.signedAt === null) ?? null) : null;
  }

  static signerFor(doc: FlowDocument, principal: Principal): DocumentSigner | undefined {
    return doc.signers.find((s) =>
      principal.kind === 'guest'
        ? s.userId === null && s.guestOfSession === principal.sessionId && s.guestId === principal.guestId
        : s.userId === principal.userId,
    );
  }

  /** 403 with a code for a guest who is not the one bound to this document's applicant slot. */
  static assertBoundGuest(doc: FlowDocument, principal: Principal): void {
    if (principal.kind !== 'guest' || DocumentSigning.signerFor(doc, principal)) return;
    if (doc.signers.some((s) => s.userId === null))
      throw new AppError('applicant_not_bound', 'the applicant slot is bound to the guest who joined the session', 403);
  }

  async sign(principal: Principal, documentId: string, input: SignInput): Promise<SignOutcome> {
    return this.#mutex.run(documentId, async () => {
      const { store, blobs, clock, audit } = this.#deps;
      const doc = await store.get(documentId);
      DocumentSigning.assertBoundGuest(doc, principal);
      const signer = DocumentSigning.signerFor(doc, principal);
      if (!signer) throw new ForbiddenError('not a signer of this document');
      if (signer.signedAt) throw new ConflictError('already signed', 'already_signed');
      if (doc.status !== 'signing') throw new ConflictError(`document is ${doc.status}`, 'document_closed');
      const next = DocumentSigning.nextSigner(doc);
      if (next?.position !== signer.position) {
        throw new ConflictError(`not your turn: ${next?.displayName ?? 'nobody'} signs next`, 'not_your_turn');
      }
      const { key, image } = await this.#unlock(principal, signer, doc, input);
      const now = clock();
      const pdf = await blobs.get(doc.currentSha256);
      const site = await this.#deps.siteName(signer.siteId);
      const signed = await signPdf(pdf, {
        signer: key,
        timeStamper: this.#deps.pki.timeStamper(),
        level: 'B-T',
        signingTime: now,
        name: signer.displayName,
        reason: reasonFor[signer.role],
        location: site,
        field: `Signature${signer.position}`,
        appearance: {
          page: signer.box.page,
          rect: signer.box.rect,
          font: this.#deps.font,
          ...(image ? { image } : {}),
          texts: {
            name: signer.displayName,
            role: roleLabel[signer.role],
            site,
            time: `${now.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
            reason: reasonFor[signer.role],
          },
        },
      }).catch(imageErrorsAsBadRequest);
      const sha256 = await blobs.put(signed);
      // The mutex orders signers on this node only: the write is a compare-and-set on the revision signed
      // over, so another node's signature in between (or an abort) refuses this one instead of losing it.
      await store.db.transaction(async () => {
        if (!(await store.recordSignature(doc.id, signer.position, doc.currentSha256, sha256, now.toISOString())))
          throw new ConflictError('the document changed while signing; reload and try again');
        await audit.append({
          actor: actorOf(principal),
          action: 'document.signed',
          target: `document:${doc.id}`,
          siteId: signer.siteId,
          details: { position: signer.position, role: signer.role, sha256 },
        });
      }, 'immediate');
      let updated = await store.get(doc.id);
      const following = DocumentSigning.nextSigner(updated);
      if (!following) updated = await this.#complete(updated);
      const outcome: SignOutcome = {
        document: updated,
        signer: updated.signers.find((s) => s.position === signer.position)!,
        next: following,
      };
      this.emit('signed', outcome);
      if (!following) this.emit('completed', updated);
      return outcome;
    });
  }

  /** Marks an unfinished document aborted (ceremony aborted); no more signatures are accepted. */
  async abort(documentId: string): Promise<FlowDocument> {
    const { store, clock } = this.#deps;
    const doc = await store.get(documentId);
    // Only from `signing`, checked by the update itself: a completion on another node in between wins.
    if (doc.status !== 'signing' || !(await store.moveStatus(documentId, 'signing', 'aborted', clock().toISOString())))
      throw new ConflictError(`document is ${(await store.get(documentId)).status}`, 'document_closed');
    return store.get(documentId);
  }

  async #unlock(
    principal: Principal,
    signer: DocumentSigner,
    doc: FlowDocument,
    input: SignInput,
  ): Promise<{ key: Signer; image?: Uint8Array }> {
    const { pki, pinLimiter } = this.#deps;
    if (principal.kind === 'guest') {
      if (!input.handwriting)
        throw new BadRequestError('a handwritten signature image is required', 'handwriting_required');
      const image = pngFromDataUrl(input.handwriting, HANDWRITING_MAX_BYTES);
      if (!signer.eventId) throw new ConflictError('no event certificate for this signer', 'no_event_certificate');
      return { key: await pki.eventSigner(signer.eventId), image };
    }
    if (!input.pin) throw new BadRequestError('PIN required', 'pin_required');
    await pinLimiter.consume(principal.userId);
    const key = await pki.unlockUserSigner(principal.userId, input.pin);
    await pinLimiter.reset(principal.userId);
    return { key };
  }

  /** B-LT (DSS with CA certificates and CRLs) and B-LTA (document timestamp) after the last signer. */
  async #complete(doc: FlowDocument): Promise<FlowDocument> {
    const { blobs, pki, store, clock, audit } = this.#deps;
    const pdf = await blobs.get(doc.currentSha256);
    const withDss = await addDss(pdf, {
      certificates: await pki.caCertificates(),
      crls: (await pki.crls()).map((c) => c.der),
    });
    const stamped = await addDocumentTimestamp(withDss, pki.timeStamper());
    const sha256 = await blobs.put(stamped);
    await store.db.transaction(async () => {
      // Completed over the last signer's revision, or not at all (an abort on another node in between).
      if (!(await store.setRevision(doc.id, doc.currentSha256, sha256, 'signed', clock().toISOString())))
        throw new ConflictError('the document changed before it was completed', 'document_closed');
      await audit.append({
        actor: 'system',
        action: 'document.completed',
        target: `document:${doc.id}`,
        details: { sha256, level: 'B-LTA' },
      });
    }, 'immediate');
    return store.get(doc.id);
  }
}

/** A handwriting PNG the appearance builder cannot use is the caller's problem, not a 500. */
function imageErrorsAsBadRequest(err: unknown): never {
  if (err instanceof SigningError && err.code === 'bad_image') throw new BadRequestError(err.message, 'bad_image');
  throw err;
}
