// Rows of documents and their ordered signers. Bytes live in the blob store; a row points at the
// original and the current (latest signed) revision.
import type { Database } from '../../kernel/store/Database.js';
import { NotFoundError } from '../../kernel/errors.js';
import type { RecordingCheckpoint } from '../recording/index.js';
import type { SignatureBox } from './pdf-layout.js';

export type DocumentKind = 'identity' | 'agreement';
export type DocumentStatus = 'signing' | 'signed' | 'aborted';
export type SignerRole = 'applicant' | 'witness' | 'confirmer' | 'official';

export interface DocumentSigner {
  readonly position: number;
  readonly role: SignerRole;
  readonly userId: string | null;
  /** The video session whose invited applicant (a guest) fills this slot; null for staff signers. */
  readonly guestOfSession: string | null;
  /** The invited guest (invitation id) who joined that session: the one principal who fills this slot. */
  readonly guestId: string | null;
  readonly displayName: string;
  readonly siteId: string | null;
  readonly box: SignatureBox;
  readonly eventCertificateSerial: string | null;
  /** The applicant's event certificate is issued and unlocked under this id. */
  readonly eventId: string | null;
  readonly signedAt: string | null;
  readonly signedSha256: string | null;
}

export interface FlowDocument {
  readonly id: string;
  readonly kind: DocumentKind;
  readonly caseId: string | null;
  readonly ceremonyId: string | null;
  readonly sessionId: string | null;
  readonly title: string;
  readonly originalSha256: string;
  readonly currentSha256: string;
  readonly status: DocumentStatus;
  readonly checkpoint: RecordingCheckpoint | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly signers: readonly DocumentSigner[];
}

export type NewSigner = Omit<DocumentSigner, 'signedAt' | 'signedSha256'>;

/** Which revision of a document a hash names (see verification-stamp.ts). */
export type HashRevision = 'unstamped' | 'base' | 'signed' | 'current';

/** A document found by one of its hashes: the facts the public verification page may show. */
export interface HashMatch {
  readonly documentId: string;
  readonly kind: DocumentKind;
  readonly caseId: string | null;
  readonly ceremonyId: string | null;
  readonly status: DocumentStatus;
  readonly destroyed: boolean;
  readonly revision: HashRevision;
  readonly signatures: number;
}

interface DocumentRow {
  id: string;
  kind: DocumentKind;
  case_id: string | null;
  ceremony_id: string | null;
  session_id: string | null;
  title: string;
  original_sha256: string;
  current_sha256: string;
  status: DocumentStatus;
  checkpoint: string | null;
  created_at: string;
  updated_at: string;
}

interface SignerRow {
  position: number;
  role: SignerRole;
  user_id: string | null;
  guest_session_id: string | null;
  guest_id: string | null;
  display_name: string;
  site_id: string | null;
  box: string;
  event_certificate_serial: string | null;
  event_id: string | null;
  signed_at: string | null;
  signed_sha256: string | null;
}

const INSERT_DOCUMENT = `INSERT INTO documents (id, kind, case_id, ceremony_id, session_id, title, original_sha256,
  current_sha256, status, checkpoint, created_at, updated_at, verify_sha256)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'signing', ?, ?, ?, ?)`;
const INSERT_SIGNER = `INSERT INTO document_signers (document_id, position, role, user_id, guest_session_id, guest_id,
  display_name, site_id, box, event_certificate_serial, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Thrown inside recordSignature's transaction to roll back the document's move when the slot was filled. */
class SlotTaken extends Error {}

export class DocumentStore {
  constructor(readonly db: Database) {}

  async insert(
    doc: Omit<FlowDocument, 'signers' | 'currentSha256' | 'status' | 'updatedAt'> & {
      /** H, the hash the QR stamp carries: SHA-256 of the document before the stamp. */
      readonly verifySha256?: string;
    },
    signers: readonly NewSigner[],
  ): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run(INSERT_DOCUMENT, [
        doc.id,
        doc.kind,
        doc.caseId,
        doc.ceremonyId,
        doc.sessionId,
        doc.title,
        doc.originalSha256,
        doc.originalSha256,
        doc.checkpoint ? JSON.stringify(doc.checkpoint) : null,
        doc.createdAt,
        doc.createdAt,
        doc.verifySha256 ?? null,
      ]);
      for (const s of signers) {
        await this.db.run(INSERT_SIGNER, [
          doc.id,
          s.position,
          s.role,
          s.userId,
          s.guestOfSession,
          s.guestId,
          s.displayName,
          s.siteId,
          JSON.stringify(s.box),
          s.eventCertificateSerial,
          s.eventId,
        ]);
      }
    });
  }

  async find(id: string): Promise<FlowDocument | undefined> {
    const row = await this.db.get<DocumentRow>('SELECT * FROM documents WHERE id = ?', [id]);
    return row && this.#withSigners(row);
  }

  async get(id: string): Promise<FlowDocument> {
    const doc = await this.find(id);
    if (!doc) throw new NotFoundError(`document ${id}`);
    return doc;
  }

  /** The document a session is about now: its case's latest identity document, or its ceremony's agreement. */
  async currentIdFor(session: {
    readonly caseId: string | null;
    readonly ceremonyId: string | null;
  }): Promise<string | null> {
    if (session.caseId) return (await this.forCase(session.caseId)).at(-1)?.id ?? null;
    if (session.ceremonyId) return (await this.forCeremony(session.ceremonyId))?.id ?? null;
    return null;
  }

  async forCase(caseId: string): Promise<FlowDocument[]> {
    const rows = await this.db.all<DocumentRow>('SELECT * FROM documents WHERE case_id = ? ORDER BY created_at', [
      caseId,
    ]);
    return Promise.all(rows.map((r) => this.#withSigners(r)));
  }

  async forCeremony(ceremonyId: string): Promise<FlowDocument | undefined> {
    const row = await this.db.get<DocumentRow>('SELECT * FROM documents WHERE ceremony_id = ?', [ceremonyId]);
    return row && this.#withSigners(row);
  }

  /**
   * The document one of whose revisions has this hash, given whole or as its first hex digits (a
   * printed short URL); undefined when none does, or when a prefix fits more than one document.
   */
  async findByHash(ref: string): Promise<HashMatch | undefined> {
    const low = ref.toLowerCase();
    const high = `${low}g`; // every hex string starting with `low` sorts below it: a range the indexes serve
    const hits = await this.db.all<{ document_id: string; revision: HashRevision }>(
      `SELECT id AS document_id, 'unstamped' AS revision FROM documents WHERE verify_sha256 >= @low AND verify_sha256 < @high
       UNION ALL SELECT id, 'base' FROM documents WHERE original_sha256 >= @low AND original_sha256 < @high
       UNION ALL SELECT document_id, 'signed' FROM document_signers WHERE signed_sha256 >= @low AND signed_sha256 < @high
       UNION ALL SELECT id, 'current' FROM documents WHERE current_sha256 >= @low AND current_sha256 < @high`,
      { low, high },
    );
    if (new Set(hits.map((h) => h.document_id)).size !== 1) return undefined;
    const row = (await this.db.get<{
      kind: DocumentKind;
      case_id: string | null;
      ceremony_id: string | null;
      status: DocumentStatus;
      destroyed_at: string | null;
      signed: number;
    }>(
      `SELECT d.kind, d.case_id, d.ceremony_id, d.status, d.destroyed_at,
         (SELECT COUNT(*) FROM document_signers s WHERE s.document_id = d.id AND s.signed_at IS NOT NULL) AS signed
       FROM documents d WHERE d.id = ?`,
      [hits[0]!.document_id],
    ))!;
    // A hash several columns share (an unsigned base is also current; the last signature too) is named by its first role.
    const order: HashRevision[] = ['unstamped', 'base', 'signed', 'current'];
    const revision = order.find((r) => hits.some((h) => h.revision === r))!;
    return {
      documentId: hits[0]!.document_id,
      kind: row.kind,
      caseId: row.case_id,
      ceremonyId: row.ceremony_id,
      status: row.status,
      destroyed: !!row.destroyed_at,
      revision,
      signatures: Number(row.signed),
    };
  }

  /** Its record was deleted and every revision destroyed: routes answer 410. */
  async markDestroyed(ids: readonly string[], at: string): Promise<void> {
    for (const id of ids) await this.db.run('UPDATE documents SET destroyed_at = ? WHERE id = ?', [at, id]);
  }

  async isDestroyed(id: string): Promise<boolean> {
    const row = await this.db.get<{ destroyed_at: string | null }>('SELECT destroyed_at FROM documents WHERE id = ?', [
      id,
    ]);
    return !!row?.destroyed_at;
  }

  /**
   * The signer at `position` signed revision `sha256` of the revision `base`. A compare-and-set: false
   * (nothing written) when the document moved on meanwhile — another node signed, completed or aborted
   * it — or the slot was filled, so the caller can refuse instead of overwriting a newer revision.
   */
  async recordSignature(id: string, position: number, base: string, sha256: string, at: string): Promise<boolean> {
    return this.db
      .transaction(async () => {
        const moved = await this.db.run(
          `UPDATE documents SET current_sha256 = ?, updated_at = ? WHERE id = ? AND current_sha256 = ? AND status = 'signing'`,
          [sha256, at, id, base],
        );
        if (moved.changes !== 1) return false;
        const slot = await this.db.run(
          'UPDATE document_signers SET signed_at = ?, signed_sha256 = ? WHERE document_id = ? AND position = ? AND signed_at IS NULL',
          [at, sha256, id, position],
        );
        if (slot.changes !== 1) throw new SlotTaken();
        return true;
      }, 'immediate')
      .catch((err: unknown) => {
        if (err instanceof SlotTaken) return false; // the transaction rolled the document's move back
        throw err;
      });
  }

  /** Moves the current revision from `base` to `sha256` with this status; false when it is no longer `base`. */
  async setRevision(id: string, base: string, sha256: string, status: DocumentStatus, at: string): Promise<boolean> {
    const r = await this.db.run(
      'UPDATE documents SET current_sha256 = ?, status = ?, updated_at = ? WHERE id = ? AND current_sha256 = ?',
      [sha256, status, at, id, base],
    );
    return r.changes === 1;
  }

  /** Moves the status from `from` to `to`; false when it was no longer `from`. */
  async moveStatus(id: string, from: DocumentStatus, to: DocumentStatus, at: string): Promise<boolean> {
    const r = await this.db.run('UPDATE documents SET status = ?, updated_at = ? WHERE id = ? AND status = ?', [
      to,
      at,
      id,
      from,
    ]);
    return r.changes === 1;
  }

  async #withSigners(row: DocumentRow): Promise<FlowDocument> {
    const signers = (
      await this.db.all<SignerRow>('SELECT * FROM document_signers WHERE document_id = ? ORDER BY position', [row.id])
    ).map((s): DocumentSigner => ({
      position: s.position,
      role: s.role,
      userId: s.user_id,
      guestOfSession: s.guest_session_id,
      guestId: s.guest_id,
      displayName: s.display_name,
      siteId: s.site_id,
      box: JSON.parse(s.box) as SignatureBox,
      eventCertificateSerial: s.event_certificate_serial,
      eventId: s.event_id,
      signedAt: s.signed_at,
      signedSha256: s.signed_sha256,
    }));
    return {
      id: row.id,
      kind: row.kind,
      caseId: row.case_id,
      ceremonyId: row.ceremony_id,
      sessionId: row.session_id,
      title: row.title,
      originalSha256: row.original_sha256,
      currentSha256: row.current_sha256,
      status: row.status,
      checkpoint: row.checkpoint ? (JSON.parse(row.checkpoint) as RecordingCheckpoint) : null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      signers,
    };
  }
}
