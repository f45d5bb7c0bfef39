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

const INSERT_RECORD = `INSERT INTO records (id, kind, case_id, ceremony_id, session_id, number, title, matter_id,
  archived_at, archived_by, retain_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export class RecordStore {
  constructor(readonly db: Database) {}

  async insert(r: NewRecord): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run(INSERT_RECORD, [
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
      ]);
      for (const s of r.siteIds)
        await this.db.run('INSERT INTO record_sites (record_id, site_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [
          r.id,
          s,
        ]);
      for (const p of r.participants)
        await this.db.run(
          `INSERT INTO record_participants (record_id, participant, user_id, display_name, role) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
          [r.id, p.key, p.userId, p.name, p.role],
        );
    });
  }

  async get(id: string): Promise<RecordRow> {
    const row = await this.db.get<Row>(`${SELECT} WHERE r.id = ? AND r.deleted_at IS NULL`, [id]);
    if (!row) throw new NotFoundError(`record ${id}`);
    return this.#hydrate(row);
  }

  /** The record a case or ceremony was archived as (deleted ones included), if any. */
  async findFor(of: {
    readonly caseId: string | null;
    readonly ceremonyId: string | null;
  }): Promise<RecordRow | undefined> {
    const row = await this.db.get<Row>(`${SELECT} WHERE r.case_id = ? OR r.ceremony_id = ?`, [
      of.caseId,
      of.ceremonyId,
    ]);
    return row && this.#hydrate(row);
  }

  /** Including deleted ones (for deletion attempts and their audit). */
  async getAny(id: string): Promise<RecordRow> {
    const row = await this.db.get<Row>(`${SELECT} WHERE r.id = ?`, [id]);
    if (!row) throw new NotFoundError(`record ${id}`);
    return this.#hydrate(row);
  }

  /**
   * getAny() for a read-check-write inside a transaction: on PostgreSQL the row stays locked until it
   * ends, so a deletion, a hold and a renewal on two nodes take turns (SQLite's immediate transaction
   * already holds the whole database).
   */
  async getAnyForUpdate(id: string): Promise<RecordRow> {
    const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE OF r' : '';
    const row = await this.db.get<Row>(`${SELECT} WHERE r.id = ?${lock}`, [id]);
    if (!row) throw new NotFoundError(`record ${id}`);
    return this.#hydrate(row);
  }

  async search(q: RecordQuery): Promise<{ records: RecordRow[]; total: number }> {
    const where = ['r.deleted_at IS NULL'];
    const args: (string | number)[] = [];
    const add = (value: string | undefined, clause: string, times = 1) => {
      if (!value) return;
      where.push(clause);
      for (let i = 0; i < times; i++) args.push(value);
    };
    const like = q.q && `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // Case-insensitive on both back-ends (PostgreSQL's LIKE is case-sensitive).
    add(
      like,
      `(lower(r.number) LIKE lower(?) ESCAPE '\\' OR lower(r.title) LIKE lower(?) ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM record_participants p
          WHERE p.record_id = r.id AND lower(p.display_name) LIKE lower(?) ESCAPE '\\'))`,
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
    const total = (await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM records r ${clause}`, args))!.n;
    const rows = await this.db.all<Row>(`${SELECT} ${clause} ORDER BY r.archived_at DESC, r.id LIMIT ? OFFSET ?`, [
      ...args,
      q.limit,
      q.offset,
    ]);
    return { records: await this.#hydrateAll(rows), total: Number(total) };
  }

  /** A hold names its reason, who set it and when; clearing one leaves those to the audit log. */
  async setHold(id: string, hold: { reason: string; by: string; at: string } | null): Promise<void> {
    await this.db.run('UPDATE records SET legal_hold = ?, hold_reason = ?, hold_by = ?, hold_at = ? WHERE id = ?', [
      hold ? 1 : 0,
      hold?.reason ?? null,
      hold?.by ?? null,
      hold?.at ?? null,
      id,
    ]);
  }

  async held(): Promise<RecordRow[]> {
    const rows = await this.db.all<Row>(
      `${SELECT} WHERE r.deleted_at IS NULL AND r.legal_hold = 1 ORDER BY r.hold_at DESC NULLS LAST, r.id`,
    );
    return this.#hydrateAll(rows);
  }

  /** Live records of a matter, or of ceremonies (matter null): their retention follows its setting. */
  async archivedTimes(
    scope: { matterId: string } | { kind: 'ceremony' },
  ): Promise<{ id: string; archivedAt: string }[]> {
    const select = 'SELECT id, archived_at AS "archivedAt" FROM records WHERE deleted_at IS NULL';
    return 'matterId' in scope
      ? this.db.all(`${select} AND matter_id = ?`, [scope.matterId])
      : this.db.all(`${select} AND kind = 'ceremony'`);
  }

  async setRetainUntil(id: string, retainUntil: string): Promise<void> {
    await this.db.run('UPDATE records SET retain_until = ? WHERE id = ?', [retainUntil, id]);
  }

  /** Every record not deleted (long-term validation renewal walks them). */
  async live(): Promise<RecordRow[]> {
    return this.#hydrateAll(await this.db.all<Row>(`${SELECT} WHERE r.deleted_at IS NULL ORDER BY r.archived_at`));
  }

  /** Records past their retention, not held, not deleted. */
  async expired(now: string): Promise<RecordRow[]> {
    const rows = await this.db.all<Row>(
      `${SELECT} WHERE r.deleted_at IS NULL AND r.legal_hold = 0 AND r.retain_until <= ? ORDER BY r.retain_until`,
      [now],
    );
    return this.#hydrateAll(rows);
  }

  async markDeleted(id: string, at: string): Promise<void> {
    await this.db.run('UPDATE records SET deleted_at = ? WHERE id = ?', [at, id]);
  }

  async #hydrateAll(rows: readonly Row[]): Promise<RecordRow[]> {
    const out: RecordRow[] = [];
    for (const r of rows) out.push(await this.#hydrate(r));
    return out;
  }

  async #hydrate(r: Row): Promise<RecordRow> {
    const sites = await this.db.all<{ id: string; name: string }>(
      'SELECT s.id, s.name FROM record_sites rs JOIN sites s ON s.id = rs.site_id WHERE rs.record_id = ? ORDER BY s.id',
      [r.id],
    );
    const participants = await this.db.all<{ name: string; role: string; userId: string | null }>(
      `SELECT display_name AS name, role, user_id AS "userId" FROM record_participants WHERE record_id = ?
       ORDER BY role, display_name`,
      [r.id],
    );
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
      legalHold: Number(r.legal_hold) === 1,
      holdReason: r.hold_reason,
      holdBy: r.hold_by,
      holdAt: r.hold_at,
      deletedAt: r.deleted_at,
      sites,
      participants,
    };
  }
}
