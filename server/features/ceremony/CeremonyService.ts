// Flow B (远程云签约): a host uploads an agreement and names the signers in order (and witnesses);
// everyone in the ceremony session sees the same page (set by the host), whose turn it is and each
// signature as it lands. Signing goes through DocumentSigning; the host may abort with a reason.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import { CeremonyStore } from './CeremonyStore.js';
import { actorOf, type Principal, type UserPrincipal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import type { SessionService } from '../sessions/index.js';
import type { UserService } from '../auth/index.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../kernel/errors.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Database } from '../../kernel/store/Database.js';
import type { DocumentStore, FlowDocument } from '../documents/index.js';
import { DocumentSigning, type SignOutcome } from '../documents/index.js';
import { MARGIN, stampVerificationQr, type VerificationLink } from '../documents/index.js';
import { inspectAgreement } from './agreement-pdf.js';

export type CeremonyStatus = 'signing' | 'signed' | 'aborted' | 'archived';

export interface CeremonyState {
  readonly id: string;
  readonly title: string;
  readonly status: CeremonyStatus;
  readonly host: { readonly userId: string; readonly name: string };
  readonly sessionId: string;
  readonly documentId: string;
  readonly pageCount: number;
  readonly currentPage: number;
  readonly turn: { readonly position: number; readonly userId: string | null; readonly name: string } | null;
  readonly signers: readonly {
    readonly position: number;
    readonly userId: string | null;
    readonly name: string;
    readonly siteId: string | null;
    readonly signedAt: string | null;
  }[];
  readonly witnesses: readonly { readonly userId: string; readonly name: string }[];
  readonly abortReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewCeremony {
  readonly title: string;
  readonly pdf: Uint8Array;
  readonly signers: readonly string[];
  readonly witnesses: readonly string[];
}

export interface CeremonyServiceDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly blobs: BlobStore;
  readonly users: UserService;
  readonly sessions: SessionService;
  readonly documents: DocumentStore;
  readonly signing: DocumentSigning;
  /** The /verify links (QR, short URL) of a document hash, under the configured public URL. */
  readonly verificationLink: (sha256: string) => VerificationLink;
  /** Where a failure after a committed signature goes (its status update, its announcement). */
  readonly warn: (message: string) => void;
}

interface DetailRow {
  document_id: string;
  session_id: string;
  page_count: number;
  current_page: number;
  abort_reason: string | null;
}

const BOX_HEIGHT = 90;
const BOXES_PER_ROW = 3;

export class CeremonyService extends EventEmitter<{ state: [CeremonyState] }> {
  readonly #d: CeremonyServiceDeps;
  readonly #ceremonies: CeremonyStore;
  /** Ceremonies being closed after their last signature (the 'completed' listener's work, by ceremony). */
  readonly #completing = new Map<string, Promise<void>>();

  constructor(deps: CeremonyServiceDeps) {
    super();
    this.#d = deps;
    this.#ceremonies = new CeremonyStore(deps.db, deps.clock);
    deps.signing.on('signed', (outcome: SignOutcome) => {
      const ceremonyId = outcome.document.ceremonyId;
      if (ceremonyId) void this.publish(ceremonyId).catch((err: unknown) => this.#warnFailure(ceremonyId, err));
    });
    deps.signing.on('completed', (doc: FlowDocument) => {
      const ceremonyId = doc.ceremonyId;
      if (!ceremonyId) return;
      // The signature is committed already; a failure here must not surface as an unhandled rejection.
      const closing = this.#completed(ceremonyId, doc.id)
        .catch((err: unknown) => this.#warnFailure(ceremonyId, err))
        .finally(() => this.#completing.delete(ceremonyId));
      this.#completing.set(ceremonyId, closing);
    });
  }

  #warnFailure(ceremonyId: string, err: unknown): void {
    this.#d.warn(`ceremony ${ceremonyId}: ${err instanceof Error ? err.message : String(err)}`);
  }

  async #completed(ceremonyId: string, documentId: string): Promise<void> {
    await this.#d.db.transaction(async () => {
      await this.#ceremonies.setStatus(ceremonyId, 'signed');
      await this.#d.audit.append({
        actor: 'system',
        action: 'ceremony.signed',
        target: `ceremony:${ceremonyId}`,
        details: { document: documentId },
      });
    }, 'immediate');
    await this.publish(ceremonyId);
  }

  async create(host: UserPrincipal, input: NewCeremony): Promise<CeremonyState> {
    const { db, sessions, documents, blobs, audit, clock } = this.#d;
    if (host.role !== 'official' && host.role !== 'clerk')
      throw new ForbiddenError('only officials and clerks host ceremonies');
    const everyone = [...input.signers, ...input.witnesses];
    if (new Set(everyone).size !== everyone.length)
      throw new BadRequestError('a person may appear only once among signers and witnesses');
    const signers = await Promise.all(input.signers.map((id) => this.#activeUser(id, ['official', 'clerk'])));
    const witnesses = await Promise.all(input.witnesses.map((id) => this.#activeUser(id, ['official', 'clerk'])));
    const facts = await inspectAgreement(input.pdf);
    // The QR goes on the last page before anyone signs: the base revision the signers sign carries it.
    const { pdf, verifySha256 } = stampVerificationQr(input.pdf, this.#d.verificationLink);
    const sha256 = await blobs.put(pdf);
    const now = clock().toISOString();
    const boxes = signatureGrid(facts.pageCount, facts.lastPageSize, signers.length);
    const documentId = randomUUID();
    const ceremonyId = await db.transaction(async () => {
      const ceremony = await this.#ceremonies.create({
        title: input.title,
        hostUserId: host.userId,
        status: 'signing',
      });
      const session = await sessions.create({ kind: 'ceremony', ceremonyId: ceremony.id }, [
        { userId: host.userId, displayName: host.displayName, role: 'host' },
        ...signers.map((u) => ({ userId: u.id, displayName: u.displayName, role: 'signer' })),
        ...witnesses.map((u) => ({ userId: u.id, displayName: u.displayName, role: 'witness' })),
      ]);
      await documents.insert(
        {
          id: documentId,
          kind: 'agreement',
          caseId: null,
          ceremonyId: ceremony.id,
          sessionId: session.id,
          title: input.title,
          originalSha256: sha256,
          verifySha256,
          checkpoint: null,
          createdAt: now,
        },
        signers.map((u, i) => ({
          position: i + 1,
          role: 'official',
          userId: u.id,
          guestOfSession: null,
          guestId: null,
          displayName: u.displayName,
          siteId: u.siteId,
          box: boxes[i]!,
          eventCertificateSerial: null,
          eventId: null,
        })),
      );
      await db.run(
        'INSERT INTO ceremony_details (ceremony_id, document_id, session_id, host_site_id, page_count, current_page) VALUES (?, ?, ?, ?, ?, 1)',
        [ceremony.id, documentId, session.id, host.siteId, facts.pageCount],
      );
      for (const w of witnesses)
        await db.run('INSERT INTO ceremony_witnesses (ceremony_id, user_id) VALUES (?, ?)', [ceremony.id, w.id]);
      await audit.append({
        actor: actorOf(host),
        action: 'ceremony.created',
        target: `ceremony:${ceremony.id}`,
        siteId: host.siteId,
        details: {
          title: input.title,
          document: documentId,
          sha256,
          session: session.id,
          signers: signers.map((u) => u.id),
          witnesses: witnesses.map((u) => u.id),
        },
      });
      return ceremony.id;
    }, 'immediate');
    return this.state(ceremonyId);
  }

  async state(id: string): Promise<CeremonyState> {
    const { db, documents, users } = this.#d;
    const ceremony = await this.#ceremonies.get(id);
    const detail = await db.get<DetailRow>('SELECT * FROM ceremony_details WHERE ceremony_id = ?', [id]);
    if (!detail) throw new NotFoundError(`ceremony ${id}`);
    const doc = await documents.get(detail.document_id);
    const next = DocumentSigning.nextSigner(doc);
    const witnessIds = (
      await db.all<{ user_id: string }>('SELECT user_id FROM ceremony_witnesses WHERE ceremony_id = ?', [id])
    ).map((r) => r.user_id);
    const host = await users.get(ceremony.hostUserId);
    const witnesses = await Promise.all(
      witnessIds.map(async (w) => ({ userId: w, name: (await users.get(w)).displayName })),
    );
    return {
      id,
      title: ceremony.title,
      status: ceremony.status as CeremonyStatus,
      host: { userId: host.id, name: host.displayName },
      sessionId: detail.session_id,
      documentId: detail.document_id,
      pageCount: detail.page_count,
      currentPage: detail.current_page,
      turn:
        ceremony.status === 'signing' && next
          ? { position: next.position, userId: next.userId, name: next.displayName }
          : null,
      signers: doc.signers.map((s) => ({
        position: s.position,
        userId: s.userId,
        name: s.displayName,
        siteId: s.siteId,
        signedAt: s.signedAt,
      })),
      witnesses,
      abortReason: detail.abort_reason,
      createdAt: ceremony.createdAt,
      updatedAt: ceremony.updatedAt,
    };
  }

  async setPage(principal: Principal, id: string, page: number): Promise<CeremonyState> {
    const state = await this.#assertHost(principal, id);
    if (!Number.isInteger(page) || page < 1 || page > state.pageCount)
      throw new BadRequestError(`page must be 1…${state.pageCount}`);
    await this.#d.db.run('UPDATE ceremony_details SET current_page = ? WHERE ceremony_id = ?', [page, id]);
    return this.publish(id);
  }

  async sign(principal: Principal, id: string, pin: string): Promise<{ state: CeremonyState; outcome: SignOutcome }> {
    const state = await this.state(id);
    if (state.status !== 'signing') throw new ConflictError(`ceremony is ${state.status}`, 'ceremony_closed');
    const outcome = await this.#d.signing.sign(principal, state.documentId, { pin });
    // The last signature closes the ceremony in the 'completed' listener: the signer's answer shows it
    // closed (on PostgreSQL the state read would otherwise race that transaction on another connection).
    await this.#completing.get(id);
    return { state: await this.state(id), outcome };
  }

  async abort(principal: Principal, id: string, reason: string): Promise<CeremonyState> {
    // The status check and the abort in one immediate transaction: a signature or a second abort
    // cannot land between them.
    await this.#d.db.transaction(async () => {
      const state = await this.#assertHost(principal, id);
      if (state.status !== 'signing') throw new ConflictError(`ceremony is ${state.status}`, 'ceremony_closed');
      await this.#d.signing.abort(state.documentId);
      await this.#d.db.run('UPDATE ceremony_details SET abort_reason = ? WHERE ceremony_id = ?', [reason, id]);
      await this.#ceremonies.setStatus(id, 'aborted');
      const session = await this.#d.sessions.get(state.sessionId);
      if (session.status === 'open') await this.#d.sessions.end(session.id);
      await this.#d.audit.append({
        actor: actorOf(principal),
        action: 'ceremony.aborted',
        target: `ceremony:${id}`,
        details: { reason },
      });
    }, 'immediate');
    return this.publish(id);
  }

  /** The ceremony became a record (records archive it); its participants are told. */
  async markArchived(id: string): Promise<void> {
    await this.#ceremonies.setStatus(id, 'archived');
  }

  async #assertHost(principal: Principal, id: string): Promise<CeremonyState> {
    const state = await this.state(id);
    if (principal.kind !== 'user' || principal.userId !== state.host.userId) throw new ForbiddenError('host only');
    return state;
  }

  /** Tells listeners (the ceremony's sockets) its current state; also after changes made elsewhere, e.g. archiving. */
  async publish(id: string): Promise<CeremonyState> {
    const state = await this.state(id);
    this.emit('state', state);
    return state;
  }

  async #activeUser(id: string, roles: readonly string[]) {
    const user = await this.#d.users.find(id);
    if (!user || user.disabled) throw new BadRequestError(`unknown user ${id}`, 'unknown_user');
    if (!roles.includes(user.role)) throw new BadRequestError(`${id} is a ${user.role}, not a signer`, 'bad_signer');
    return user;
  }
}

/** One box per signer along the bottom of the last page, up to three per row. */
function signatureGrid(lastPage: number, size: { width: number; height: number }, count: number) {
  const gap = 8;
  const width = (size.width - 2 * MARGIN - gap * (BOXES_PER_ROW - 1)) / BOXES_PER_ROW;
  return Array.from({ length: count }, (_, i) => {
    const row = Math.floor(i / BOXES_PER_ROW);
    const col = i % BOXES_PER_ROW;
    return {
      page: lastPage,
      rect: [MARGIN + col * (width + gap), MARGIN / 2 + row * (BOX_HEIGHT + gap), width, BOX_HEIGHT] as const,
    };
  });
}
