// The append-only, hash-chained audit log. Each entry's hash covers its own fields and the previous
// entry's hash (`hash = SHA-256(canonical JSON of the entry incl. prev_hash)`), so editing, inserting
// or deleting a row breaks the chain from that row on. `append` joins the transaction of the state
// change it records (if any); the chain is serialised per chain across every node (see #chainLock).
import { createHash } from 'node:crypto';
import type { Database } from '../store/Database.js';
import { type Clock } from '../clock.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';
import { actorOf, type Principal } from '../principal.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEvent {
  /** `user:<id>`, `guest:<invitationId>` or `system` (see actorOf). */
  readonly actor: string;
  /** Dotted verb, e.g. `case.created`, `auth.login_failed`, `auditor.read`. */
  readonly action: string;
  readonly target?: string | null;
  readonly siteId?: string | null;
  /** Never secrets, PINs or ID numbers in clear. */
  readonly details?: Record<string, JsonValue | undefined>;
}

/** A read of personal data: what was read, of which object, through which transport. */
export interface PersonalDataRead {
  /** The object read, as audit targets name it: `case:<id>`, `document:<id>`, `record:<id>`, `users`, … */
  readonly object: string;
  /** What of it, in a few words: `case detail`, `snapshot image`, `signed PDF`, … */
  readonly what: string;
  readonly via: 'http' | 'socket';
  readonly details?: Record<string, JsonValue | undefined>;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly siteId: string | null;
  readonly details: Record<string, JsonValue>;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  site_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditFilter {
  readonly actor?: string;
  readonly action?: string;
  readonly target?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly offset: number;
}

/** The hash of an entry: what the chain commits to. */
export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const body = canonicalJson({
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    target: e.target,
    site: e.siteId,
    details: e.details,
    prev_hash: e.prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}

export function rowToEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    siteId: row.site_id,
    details: JSON.parse(row.details) as Record<string, JsonValue>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

const HEAD = 'SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1';
/** The one chain there is (the lock key of PostgreSQL's per-chain advisory lock). */
const CHAIN = 'tongban:audit_log';
const INSERT = `INSERT INTO audit_log (id, at, actor, action, target, site_id, details, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

function insertValues(entry: AuditEntry): unknown[] {
  const details = canonicalJson(entry.details);
  return [
    entry.id,
    entry.at,
    entry.actor,
    entry.action,
    entry.target,
    entry.siteId,
    details,
    entry.prevHash,
    entry.hash,
  ];
}

/** The `data.read` entry for a staff member's read; none for guests reading their own session. */
function readEvent(principal: Principal | undefined, read: PersonalDataRead): AuditEvent | undefined {
  if (principal?.kind !== 'user') return undefined;
  return {
    actor: actorOf(principal),
    action: 'data.read',
    target: read.object,
    siteId: principal.siteId,
    details: { what: read.what, via: read.via, role: principal.role, ...read.details },
  };
}

/** Called inside the append's transaction: what it writes commits or rolls back with the entry. */
export type AppendListener = (entry: AuditEntry) => void | Promise<void>;

export class AuditLog {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #listeners = new Set<AppendListener>();

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /**
   * Appends the next entry of the chain: the chain's lock taken, its head read and the entry written
   * in one transaction (the caller's, when there is one), so concurrent writers on any node form one
   * line: no two entries with the same predecessor, no gap.
   */
  async append(event: AuditEvent): Promise<AuditEntry> {
    const db = this.#db;
    // SQLite: the immediate transaction is the lock (one writer at a time). PostgreSQL: a lock on the
    // chain alone, held to the end of the (outer) transaction; other writes are not held up by it.
    return db.transaction(
      async () => {
        if (db.dialect === 'postgres') await db.get('SELECT pg_advisory_xact_lock(hashtext(?)::bigint)', [CHAIN]);
        const entry = this.#next(await db.get<{ id: number; hash: string }>(HEAD), event);
        await db.run(INSERT, insertValues(entry));
        for (const listener of this.#listeners) await listener(entry);
        return entry;
      },
      db.dialect === 'sqlite' ? 'immediate' : 'deferred',
    );
  }

  #next(head: { id: number; hash: string } | undefined, event: AuditEvent): AuditEntry {
    const details = JSON.parse(canonicalJson(event.details ?? {})) as Record<string, JsonValue>;
    const unsigned = {
      id: (head?.id ?? 0) + 1,
      at: this.#clock().toISOString(),
      actor: event.actor,
      action: event.action,
      target: event.target ?? null,
      siteId: event.siteId ?? null,
      details,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    return { ...unsigned, hash: entryHash(unsigned) };
  }

  /**
   * Audits a staff member's read of personal data (`data.read`): the one place every HTTP route and
   * socket event that hands out personal data records it. Guests reading their own session are not
   * staff and are not recorded here.
   */
  async read(principal: Principal | undefined, read: PersonalDataRead): Promise<void> {
    const event = readEvent(principal, read);
    if (event) await this.append(event);
  }

  /** Called at each append, inside its transaction (e.g. to checkpoint after N entries). */
  onAppend(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  head(): Promise<{ id: number; hash: string } | undefined> {
    return this.#db.get<{ id: number; hash: string }>(HEAD);
  }

  async list(filter: AuditFilter): Promise<{ entries: AuditEntry[]; total: number }> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('actor = ?', filter.actor);
    add('action = ?', filter.action);
    add('target = ?', filter.target);
    add('at >= ?', filter.from);
    add('at <= ?', filter.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.#db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_log ${clause}`, args))!.n;
    const rows = await this.#db.all<AuditRow>(`SELECT * FROM audit_log ${clause} ORDER BY id LIMIT ? OFFSET ?`, [
      ...args,
      filter.limit,
      filter.offset,
    ]);
    return { entries: rows.map(rowToEntry), total };
  }

  /** Entries whose target is one of `targets`, oldest first (evidence packages). */
  async forTargets(targets: readonly string[]): Promise<AuditEntry[]> {
    if (targets.length === 0) return [];
    const rows = await this.#db.all<AuditRow>(
      `SELECT * FROM audit_log WHERE target IN (${targets.map(() => '?').join(',')}) ORDER BY id`,
      targets,
    );
    return rows.map(rowToEntry);
  }
}
