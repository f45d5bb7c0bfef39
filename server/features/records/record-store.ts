// Archived records: one per finished case or ceremony, with the sites and participants that the
// auditors' search filters on, and the retention and legal-hold state.
import type { Database } from '../../kernel/store/Database.js';
import { NotFoundError } from '../../kernel/errors.js';

export interface RecordRow {
  readonly id: string;
  readonly kind: 'case' | 'ceremony';
  readonly caseId: string | null;
  readonly ceremonyId: string | null;
  readonly sessionId: string | null;
  readonly number: string;
  readonly title: string;
  readonly matterId: string | null;
  readonly matterName: string | null;
  readonly archivedAt: string;
  readonly archivedBy: string;
  readonly retainUntil: string;
  readonly legalHold: boolean;
  readonly holdReason: string | null;
  readonly holdBy: string | null;
  readonly holdAt: string | null;
  readonly deletedAt: string | null;
  readonly sites: readonly { readonly id: string; readonly name: string }[];
  readonly participants: readonly { readonly name: string; readonly role: string; readonly userId: string | null }[];
}

export interface NewRecord extends Pick<
  RecordRow,
  | 'id'
  | 'kind'
  | 'caseId'
  | 'ceremonyId'
  | 'sessionId'
  | 'number'
  | 'title'
  | 'matterId'
  | 'archivedAt'
  | 'archivedBy'
  | 'retainUntil'
> {
  readonly siteIds: readonly string[];
  readonly participants: readonly {
    readonly key: string;
    readonly name: string;
    readonly role: string;
    readonly userId: string | null;
  }[];
}

export interface RecordQuery {
  /** Free text: record number, title or a participant's name. */
  readonly q?: string;
  readonly site?: string;
  readonly matter?: string;
  readonly from?: string;
  readonly to?: string;
  /** A participant's user id or name. */
  readonly participant?: string;
  readonly limit: number;
  readonly offset: number;
}

interface Row {
  id: string;
  kind: 'case' | 'ceremony';
  case_id: string | null;
  ceremony_id: string | null;
  session_id: string | null;
  number: string;
  title: string;
  matter_id: string | null;
  matter_name: string | null;
  archived_at: string;
  archived_by: string;
  retain_until: string;
  legal_hold: number;
  hold_reason: string | null;
  hold_by: string | null;
  hold_at: string | null;
  deleted_at: string | null;
}

const SELECT = 'SELECT r.*, m.name AS matter_name FROM records r LEFT JOIN matters m ON m.id = r.matter_id';

export class RecordStore {
  constructor(readonly db: Database) {}

  insert(r: NewRecord): void {
    this.db.transactionSync(() => {
      this.db.sql
        .prepare(
          `INSERT INTO records (id, kind, case_id, ceremony_id, session_id, number, title, matter_id, archived_at, archived_by, retain_until)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.id,
          r.kind,
          r.caseId,
          r.ceremonyId,
          r.sessionId,
          r.number,
          r.title,
          r.matterId,
          r.archivedAt,
          r.archivedBy,
          r.retainUntil,
        );
      const site = this.db.sql.prepare('INSERT OR IGNORE INTO record_sites (record_id, site_id) VALUES (?, ?)');
      for (const s of r.siteIds) site.run(r.id, s);
      const person = this.db.sql.prepare(
        'INSERT OR IGNORE INTO record_participants (record_id, participant, user_id, display_name, role) VALUES (?, ?, ?, ?, ?)',
      );
      for (const p of r.participants) person.run(r.id, p.key, p.userId, p.name, p.role);
    });
  }

  get(id: string): RecordRow {
    const row = this.db.sql.prepare(`${SELECT} WHERE r.id = ? AND r.deleted_at IS NULL`).get(id) as Row | undefined;
    if (!row) throw new NotFoundError(`record ${id}`);
    return this.#hydrate(row);
  }

  /** The record a case or ceremony was archived as (deleted ones included), if any. */
  findFor(of: { readonly caseId: string | null; readonly ceremonyId: string | null }): RecordRow | undefined {
    const row = this.db.sql
      .prepare(`${SELECT} WHERE r.case_id = ? OR r.ceremony_id = ?`)
      .get(of.caseId, of.ceremonyId) as Row | undefined;
    return row && this.#hydrate(row);
  }

  /** Including deleted ones (for deletion attempts and their audit). */
  getAny(id: string): RecordRow {
    const row = this.db.sql.prepare(`${SELECT} WHERE r.id = ?`).get(id) as Row | undefined;
    if (!row) throw new NotFoundError(`record ${id}`);
    return this.#hydrate(row);
  }

  search(q: RecordQuery): { records: RecordRow[]; total: number } {
    const where = ['r.deleted_at IS NULL'];
    const args: (string | number)[] = [];
    const add = (value: string | undefined, clause: string, times = 1) => {
      if (!value) return;
      where.push(clause);
      for (let i = 0; i < times; i++) args.push(value);
    };
    const like = q.q && `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    add(
      like,
      `(r.number LIKE ? ESCAPE '\\' OR r.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM record_participants p
        WHERE p.record_id = r.id AND p.display_name LIKE ? ESCAPE '\\'))`,
      3,
    );
    add(q.site, 'EXISTS (SELECT 1 FROM record_sites s WHERE s.record_id = r.id AND s.site_id = ?)');
    add(q.matter, 'r.matter_id = ?');
    add(q.from, 'r.archived_at >= ?');
    add(q.to, 'r.archived_at <= ?');
    add(
      q.participant,
      'EXISTS (SELECT 1 FROM record_participants p WHERE p.record_id = r.id AND (p.user_id = ? OR p.display_name = ?))',
      2,
    );
    const clause = `WHERE ${where.join(' AND ')}`;
    const total = (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM records r ${clause}`).get(...args) as { n: number })
      .n;
    const rows = this.db.sql
      .prepare(`${SELECT} ${clause} ORDER BY r.archived_at DESC, r.id LIMIT ? OFFSET ?`)
      .all(...args, q.limit, q.offset) as Row[];
    return { records: rows.map((r) => this.#hydrate(r)), total };
  }

  /** A hold names its reason, who set it and when; clearing one leaves those to the audit log. */
  setHold(id: string, hold: { reason: string; by: string; at: string } | null): void {
    this.db.sql
      .prepare('UPDATE records SET legal_hold = ?, hold_reason = ?, hold_by = ?, hold_at = ? WHERE id = ?')
      .run(hold ? 1 : 0, hold?.reason ?? null, hold?.by ?? null, hold?.at ?? null, id);
  }

  held(): RecordRow[] {
    const rows = this.db.sql
      .prepare(`${SELECT} WHERE r.deleted_at IS NULL AND r.legal_hold = 1 ORDER BY r.hold_at DESC, r.id`)
      .all() as Row[];
    return rows.map((r) => this.#hydrate(r));
  }

  /** Live records of a matter, or of ceremonies (matter null): their retention follows its setting. */
  archivedTimes(scope: { matterId: string } | { kind: 'ceremony' }): { id: string; archivedAt: string }[] {
    const select = 'SELECT id, archived_at AS archivedAt FROM records WHERE deleted_at IS NULL';
    const rows =
      'matterId' in scope
        ? this.db.sql.prepare(`${select} AND matter_id = ?`).all(scope.matterId)
        : this.db.sql.prepare(`${select} AND kind = 'ceremony'`).all();
    return rows as { id: string; archivedAt: string }[];
  }

  setRetainUntil(id: string, retainUntil: string): void {
    this.db.sql.prepare('UPDATE records SET retain_until = ? WHERE id = ?').run(retainUntil, id);
  }

  /** Every record not deleted (long-term validation renewal walks them). */
  live(): RecordRow[] {
    const rows = this.db.sql.prepare(`${SELECT} WHERE r.deleted_at IS NULL ORDER BY r.archived_at`).all() as Row[];
    return rows.map((r) => this.#hydrate(r));
  }

  /** Records past their retention, not held, not deleted. */
  expired(now: string): RecordRow[] {
    const rows = this.db.sql
      .prepare(
        `${SELECT} WHERE r.deleted_at IS NULL AND r.legal_hold = 0 AND r.retain_until <= ? ORDER BY r.retain_until`,
      )
      .all(now) as Row[];
    return rows.map((r) => this.#hydrate(r));
  }

  markDeleted(id: string, at: string): void {
    this.db.sql.prepare('UPDATE records SET deleted_at = ? WHERE id = ?').run(at, id);
  }

  #hydrate(r: Row): RecordRow {
    const sites = this.db.sql
      .prepare(
        'SELECT s.id, s.name FROM record_sites rs JOIN sites s ON s.id = rs.site_id WHERE rs.record_id = ? ORDER BY s.id',
      )
      .all(r.id) as { id: string; name: string }[];
    const participants = this.db.sql
      .prepare(
        'SELECT display_name AS name, role, user_id AS userId FROM record_participants WHERE record_id = ? ORDER BY role, display_name',
      )
      .all(r.id) as { name: string; role: string; userId: string | null }[];
    return {
      id: r.id,
      kind: r.kind,
      caseId: r.case_id,
      ceremonyId: r.ceremony_id,
      sessionId: r.session_id,
      number: r.number,
      title: r.title,
      matterId: r.matter_id,
      matterName: r.matter_name,
      archivedAt: r.archived_at,
      archivedBy: r.archived_by,
      retainUntil: r.retain_until,
      legalHold: r.legal_hold === 1,
      holdReason: r.hold_reason,
      holdBy: r.hold_by,
      holdAt: r.hold_at,
      deletedAt: r.deleted_at,
      sites,
      participants,
    };
  }
}
