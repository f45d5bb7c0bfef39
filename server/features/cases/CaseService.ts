// Cases: an applicant's matter opened at one site and handled by a partner site. Every status change
// goes through `transition` (the state machine in case-state.ts), is recorded in case_events and the
// audit log in the same transaction, and is announced to listeners (the live queue).
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../kernel/errors.js';
import type { Database } from '../../kernel/store/Database.js';
import { assertTransition, type CaseStatus } from './case-state.js';
import type { CatalogService } from '../catalog/index.js';
import { maskIdNumber, maskPhone, type IdNumberProtector } from './IdNumberProtector.js';
import { actorOf, type UserPrincipal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import type { SessionService } from '../sessions/index.js';

export interface CaseSummary {
  readonly id: string;
  readonly number: string;
  readonly status: CaseStatus;
  readonly matter: { readonly id: string; readonly name: string };
  readonly originatingSite: { readonly id: string; readonly name: string };
  readonly handlingSite: { readonly id: string; readonly name: string };
  readonly partnershipId: string;
  readonly applicant: { readonly name: string; readonly idMasked: string; readonly phoneMasked: string | null };
  readonly createdBy: string;
  readonly acceptedBy: string | null;
  readonly sessionId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface CaseEvent {
  readonly at: string;
  readonly actor: string;
  readonly from: CaseStatus | null;
  readonly to: CaseStatus;
  readonly note: string | null;
}

export interface NewCase {
  readonly matterId: string;
  readonly handlingSite: string;
  readonly applicant: { readonly name: string; readonly idNumber: string; readonly phone?: string | undefined };
}

export interface CaseFilter {
  readonly status?: CaseStatus;
  /** Cases where this site is originating or handling. */
  readonly site?: string;
  readonly limit: number;
  readonly offset: number;
}

interface CaseRow {
  id: string;
  number: string;
  status: CaseStatus;
  matter_id: string;
  matter_name: string;
  originating_site_id: string;
  originating_name: string;
  handling_site_id: string;
  handling_name: string;
  partnership_id: string;
  applicant_name: string;
  id_masked: string;
  phone_masked: string | null;
  created_by: string;
  accepted_by: string | null;
  session_id: string | null;
  created_at: string;
  updated_at: string;
}

const SELECT_CASE = `
  SELECT c.*, m.name AS matter_name, o.name AS originating_name, h.name AS handling_name,
    (SELECT s.id FROM sessions s WHERE s.case_id = c.id ORDER BY s.started_at DESC LIMIT 1) AS session_id
  FROM cases c JOIN matters m ON m.id = c.matter_id
    JOIN sites o ON o.id = c.originating_site_id JOIN sites h ON h.id = c.handling_site_id`;

export type CaseListener = (summary: CaseSummary) => void;

export class CaseService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #catalog: CatalogService;
  readonly #sessions: SessionService;
  readonly #ids: IdNumberProtector;
  readonly #audit: AuditLog;
  readonly #listeners = new Set<CaseListener>();

  constructor(opts: {
    db: Database;
    clock: Clock;
    catalog: CatalogService;
    sessions: SessionService;
    ids: IdNumberProtector;
    audit: AuditLog;
  }) {
    this.#db = opts.db;
    this.#clock = opts.clock;
    this.#catalog = opts.catalog;
    this.#sessions = opts.sessions;
    this.#ids = opts.ids;
    this.#audit = opts.audit;
  }

  /** Called after every committed change with the new summary. */
  onChange(listener: CaseListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Opens a case at the clerk's site and queues it at the handling site. */
  async create(clerk: UserPrincipal, input: NewCase): Promise<CaseSummary> {
    const originating = clerk.siteId;
    if (clerk.role !== 'clerk' || !originating) throw new ForbiddenError('only a site clerk opens cases');
    await this.#catalog.matter(input.matterId);
    await this.#catalog.site(input.handlingSite);
    if (input.handlingSite === originating)
      throw new ConflictError('the handling site must be a partner site, not your own', 'same_site');
    const partnershipId = await this.#catalog.partnershipFor(originating, input.handlingSite, input.matterId);
    if (!partnershipId) {
      throw new ConflictError(
        `no partnership lets ${originating} send ${input.matterId} to ${input.handlingSite}`,
        'no_partnership',
      );
    }
    const id = randomUUID();
    const summary = await this.#db.transaction(async () => {
      const now = this.#clock().toISOString();
      const number = await this.#nextNumber();
      await this.#db.run(
        `INSERT INTO cases (id, number, matter_id, originating_site_id, handling_site_id, partnership_id, applicant_name,
           id_hmac, id_masked, phone_masked, status, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?, ?)`,
        [
          id,
          number,
          input.matterId,
          originating,
          input.handlingSite,
          partnershipId,
          input.applicant.name,
          this.#ids.hmac(input.applicant.idNumber),
          maskIdNumber(input.applicant.idNumber),
          input.applicant.phone ? maskPhone(input.applicant.phone) : null,
          clerk.userId,
          now,
          now,
        ],
      );
      await this.#recordEvent(id, clerk, null, 'created', null, {
        number,
        matter: input.matterId,
        handlingSite: input.handlingSite,
      });
      return this.#move(id, clerk, 'queued', null);
    }, 'immediate');
    this.#emit(summary);
    return summary;
  }

  async find(id: string): Promise<CaseSummary | undefined> {
    const row = await this.#db.get<CaseRow>(`${SELECT_CASE} WHERE c.id = ?`, [id]);
    return row && toSummary(row);
  }

  /** Is this the ID number the case was opened with (its keyed HMAC compared; nothing in clear kept)? */
  async applicantIdMatches(id: string, idNumber: string): Promise<boolean> {
    const row = await this.#db.get<{ h: string }>('SELECT id_hmac AS h FROM cases WHERE id = ?', [id]);
    return !!row?.h && row.h === this.#ids.hmac(idNumber);
  }

  async get(id: string): Promise<CaseSummary> {
    const c = await this.find(id);
    if (!c) throw new NotFoundError(`case ${id}`);
    return c;
  }

  async list(filter: CaseFilter): Promise<{ cases: CaseSummary[]; total: number }> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.status) {
      where.push('c.status = ?');
      args.push(filter.status);
    }
    if (filter.site) {
      where.push('(c.originating_site_id = ? OR c.handling_site_id = ?)');
      args.push(filter.site, filter.site);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.#db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM cases c ${clause}`, args))!.n;
    const rows = await this.#db.all<CaseRow>(
      `${SELECT_CASE} ${clause} ORDER BY c.created_at DESC, c.number DESC LIMIT ? OFFSET ?`,
      [...args, filter.limit, filter.offset],
    );
    return { cases: rows.map(toSummary), total };
  }

  async history(id: string): Promise<CaseEvent[]> {
    return this.#db.all<CaseEvent>(
      'SELECT at, actor, from_status AS "from", to_status AS "to", note FROM case_events WHERE case_id = ? ORDER BY id',
      [id],
    );
  }

  /** The handling clerk takes a queued case: it goes in_session with a new video session. */
  async accept(clerk: UserPrincipal, id: string): Promise<{ case: CaseSummary; sessionId: string }> {
    const result = await this.#db.transaction(async () => {
      const current = await this.#lockedCase(id);
      assertTransition(current.status, 'in_session');
      await this.#db.run('UPDATE cases SET accepted_by = ? WHERE id = ?', [clerk.userId, id]);
      const creator = (await this.#db.get<{ id: string; display_name: string }>(
        'SELECT id, display_name FROM users WHERE id = ?',
        [current.createdBy],
      ))!;
      const session = await this.#sessions.create({ kind: 'case', caseId: id }, [
        { userId: clerk.userId, displayName: clerk.displayName, role: 'handling_clerk' },
        { userId: creator.id, displayName: creator.display_name, role: 'originating_clerk' },
      ]);
      await this.#audit.append({
        actor: actorOf(clerk),
        action: 'session.created',
        target: `session:${session.id}`,
        siteId: clerk.siteId,
        details: { case: id },
      });
      return { case: await this.#move(id, clerk, 'in_session', null), sessionId: session.id };
    }, 'immediate');
    this.#emit(result.case);
    return result;
  }

  /**
   * Moves a case to `to` if the state machine allows it; throws ConflictError (409) otherwise. The
   * flows (identity confirmation, signing, archiving) call this too. Policy checks are the caller's.
   * Inside the caller's transaction it joins it (the change is announced when this call returns).
   */
  async transition(
    actor: UserPrincipal | undefined,
    id: string,
    to: CaseStatus,
    note: string | null = null,
  ): Promise<CaseSummary> {
    const summary = await this.#db.transaction(() => this.#move(id, actor, to, note), 'immediate');
    this.#emit(summary);
    return summary;
  }

  /**
   * The case, its row locked for the rest of the transaction: a no-op UPDATE takes PostgreSQL's row
   * lock (another node's move waits, then reads the new status); SQLite's immediate transaction already
   * holds the write lock.
   */
  async #lockedCase(id: string): Promise<CaseSummary> {
    await this.#db.run('UPDATE cases SET status = status WHERE id = ?', [id]);
    return this.get(id);
  }

  async #move(id: string, actor: UserPrincipal | undefined, to: CaseStatus, note: string | null): Promise<CaseSummary> {
    const current = await this.#lockedCase(id);
    assertTransition(current.status, to);
    await this.#db.run('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?', [
      to,
      this.#clock().toISOString(),
      id,
    ]);
    await this.#recordEvent(id, actor, current.status, to, note, {});
    const open =
      to === 'archived' || to === 'rejected' || to === 'cancelled' ? await this.#sessions.openForCase(id) : undefined;
    if (open) await this.#sessions.end(open.id);
    return this.get(id);
  }

  async #recordEvent(
    id: string,
    actor: UserPrincipal | undefined,
    from: CaseStatus | null,
    to: CaseStatus,
    note: string | null,
    details: Record<string, string>,
  ): Promise<void> {
    const at = this.#clock().toISOString();
    await this.#db.run(
      'INSERT INTO case_events (case_id, at, actor, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?)',
      [id, at, actorOf(actor), from, to, note],
    );
    const site = (await this.#db.get<{ s: string }>('SELECT handling_site_id AS s FROM cases WHERE id = ?', [id]))!.s;
    await this.#audit.append({
      actor: actorOf(actor),
      action: `case.${to}`,
      target: `case:${id}`,
      siteId: actor?.siteId ?? site,
      details: { from: from ?? undefined, note: note ?? undefined, ...details },
    });
  }

  /** `TB-<year>-<6 digits>`, counting per year (one UPSERT: two nodes never draw the same number). */
  async #nextNumber(): Promise<string> {
    const year = this.#clock().getUTCFullYear();
    const row = (await this.#db.get<{ last: number }>(
      'INSERT INTO case_numbers (year, last) VALUES (?, 1) ON CONFLICT(year) DO UPDATE SET last = case_numbers.last + 1 RETURNING last',
      [year],
    ))!;
    return `TB-${year}-${String(row.last).padStart(6, '0')}`;
  }

  #emit(summary: CaseSummary): void {
    for (const listener of this.#listeners) {
      try {
        listener(summary);
      } catch {
        // A failing listener (a closed socket) must not undo or hide a committed change.
      }
    }
  }
}

function toSummary(r: CaseRow): CaseSummary {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    matter: { id: r.matter_id, name: r.matter_name },
    originatingSite: { id: r.originating_site_id, name: r.originating_name },
    handlingSite: { id: r.handling_site_id, name: r.handling_name },
    partnershipId: r.partnership_id,
    applicant: { name: r.applicant_name, idMasked: r.id_masked, phoneMasked: r.phone_masked },
    createdBy: r.created_by,
    acceptedBy: r.accepted_by,
    sessionId: r.session_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
