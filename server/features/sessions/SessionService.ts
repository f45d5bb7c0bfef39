// Video sessions (a case's identity confirmation or a ceremony) and who takes part in them. The
// media signalling asks `assertCanJoin` before letting a socket into a room.
import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Database } from '../../kernel/store/Database.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../kernel/errors.js';
import { guestActor, type Principal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import { SessionPresence } from './SessionPresence.js';

export type SessionKind = 'case' | 'ceremony';

export interface Participant {
  readonly participantId: string;
  readonly userId: string | null;
  readonly guest: boolean;
  readonly displayName: string;
  /** e.g. handling_clerk, originating_clerk, applicant, host, signer, witness */
  readonly role: string;
  readonly addedAt: string;
}

export interface Session {
  readonly id: string;
  readonly kind: SessionKind;
  readonly caseId: string | null;
  readonly ceremonyId: string | null;
  readonly status: 'open' | 'ended';
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly participants: Participant[];
}

/** The applicant guest admitted to a session (one per session: the invitation that was redeemed first). */
export interface JoinedApplicant {
  /** The invitation's id; the principal, audit actor and participant are `guest:<guestId>`. */
  readonly guestId: string;
  /** `guest:<guestId>`: the applicant's id in presence, recording and media. */
  readonly participantId: string;
  readonly displayName: string;
  readonly joinedAt: string;
}

export interface NewParticipant {
  readonly userId?: string;
  readonly guestId?: string;
  readonly displayName: string;
  readonly role: string;
}

interface SessionRow {
  id: string;
  kind: SessionKind;
  case_id: string | null;
  ceremony_id: string | null;
  status: 'open' | 'ended';
  started_at: string;
  ended_at: string | null;
}

interface ParticipantRow {
  participant_id: string;
  user_id: string | null;
  guest: number;
  display_name: string;
  role: string;
  added_at: string;
}

export class SessionService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #ended = new Set<(sessionId: string) => void>();
  /** The context the service was made in (no transaction), where session-end listeners run. */
  readonly #outside = new AsyncResource('tongban:session-ended');
  /** Joins, leaves and consents in the live rooms (written by the media plane). */
  readonly presence: SessionPresence;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.presence = new SessionPresence(db, clock);
  }

  /** Creates an open session with its first participants (joins the caller's transaction, if any). */
  async create(
    owner: { kind: 'case'; caseId: string } | { kind: 'ceremony'; ceremonyId: string },
    participants: readonly NewParticipant[],
  ): Promise<Session> {
    const id = randomUUID();
    await this.#db.transaction(async () => {
      await this.#db.run(
        'INSERT INTO sessions (id, kind, case_id, ceremony_id, status, started_at) VALUES (?, ?, ?, ?, ?, ?)',
        [
          id,
          owner.kind,
          owner.kind === 'case' ? owner.caseId : null,
          owner.kind === 'ceremony' ? owner.ceremonyId : null,
          'open',
          this.#clock().toISOString(),
        ],
      );
      for (const p of participants) await this.addParticipant(id, p);
    });
    return this.get(id);
  }

  async find(id: string): Promise<Session | undefined> {
    const row = await this.#db.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [id]);
    if (!row) return undefined;
    const participants = (
      await this.#db.all<ParticipantRow>(
        'SELECT * FROM session_participants WHERE session_id = ? ORDER BY added_at, participant_id',
        [id],
      )
    ).map((p) => ({
      participantId: p.participant_id,
      userId: p.user_id,
      guest: p.guest === 1,
      displayName: p.display_name,
      role: p.role,
      addedAt: p.added_at,
    }));
    return {
      id: row.id,
      kind: row.kind,
      caseId: row.case_id,
      ceremonyId: row.ceremony_id,
      status: row.status,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      participants,
    };
  }

  async get(id: string): Promise<Session> {
    const s = await this.find(id);
    if (!s) throw new NotFoundError(`session ${id}`);
    return s;
  }

  /** The open session of a case, if there is one. */
  async openForCase(caseId: string): Promise<Session | undefined> {
    const row = await this.#db.get<{ id: string }>(
      `SELECT id FROM sessions WHERE case_id = ? AND status = 'open' ORDER BY started_at DESC LIMIT 1`,
      [caseId],
    );
    return row && this.get(row.id);
  }

  /** Adds a participant (idempotent for the same user or guest id). */
  async addParticipant(sessionId: string, p: NewParticipant): Promise<void> {
    const participantId = p.userId ? `user:${p.userId}` : guestActor(p.guestId ?? randomUUID());
    await this.#db.run(
      `INSERT INTO session_participants (session_id, participant_id, user_id, guest, display_name, role, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        sessionId,
        participantId,
        p.userId ?? null,
        p.userId ? 0 : 1,
        p.displayName,
        p.role,
        this.#clock().toISOString(),
      ],
    );
  }

  /**
   * Admits an invited applicant as the session's one guest participant (joins the redeeming
   * transaction). A session whose applicant already joined refuses every other invitation: a second
   * code must not replace, or stand beside, the applicant who is (or was) on camera. The check and
   * the insert run with the session's row locked (a no-op UPDATE: PostgreSQL's row lock; SQLite's
   * immediate transaction holds the write lock), so two codes redeemed at once admit one applicant.
   */
  async admitApplicant(sessionId: string, guest: { guestId: string; displayName: string }): Promise<void> {
    await this.#db.transaction(async () => {
      await this.#db.run('UPDATE sessions SET status = status WHERE id = ?', [sessionId]);
      const joined = await this.joinedApplicant(sessionId);
      if (joined) {
        throw new ConflictError(
          joined.guestId === guest.guestId
            ? 'this invitation has already been used to join'
            : 'the applicant has already joined this session with another invitation',
          'applicant_already_joined',
        );
      }
      await this.addParticipant(sessionId, {
        guestId: guest.guestId,
        displayName: guest.displayName,
        role: 'applicant',
      });
    }, 'immediate');
  }

  /** The applicant guest who joined the session, if one has (the one principal who may sign as applicant). */
  async joinedApplicant(sessionId: string): Promise<JoinedApplicant | undefined> {
    const row = await this.#db.get<{ participantId: string; displayName: string; addedAt: string }>(
      `SELECT participant_id AS "participantId", display_name AS "displayName", added_at AS "addedAt"
       FROM session_participants WHERE session_id = ? AND guest = 1`,
      [sessionId],
    );
    if (!row) return undefined;
    return {
      participantId: row.participantId,
      guestId: row.participantId.slice('guest:'.length),
      displayName: row.displayName,
      joinedAt: row.addedAt,
    };
  }

  async end(id: string): Promise<Session> {
    const r = await this.#db.run(
      `UPDATE sessions SET status = 'ended', ended_at = ? WHERE id = ? AND status = 'open'`,
      [this.#clock().toISOString(), id],
    );
    if (r.changes === 0) {
      await this.get(id);
      throw new ConflictError(`session ${id} has already ended`, 'session_ended');
    }
    // Outside any transaction of the caller (whose connection they must not borrow): their queries
    // wait for it to commit.
    for (const listener of this.#ended) this.#outside.runInAsyncScope(listener, null, id);
    return this.get(id);
  }

  /** Told after a session ends (the media feature closes its live room); returns an unsubscribe function. */
  onEnded(listener: (sessionId: string) => void): () => void {
    this.#ended.add(listener);
    return () => this.#ended.delete(listener);
  }

  /** Is this principal a participant of the session (guests: the one guest admitted to the session)? */
  isParticipant(principal: Principal, session: Session): boolean {
    if (principal.kind === 'guest')
      return (
        principal.sessionId === session.id &&
        session.participants.some((p) => p.participantId === guestActor(principal.guestId))
      );
    return session.participants.some((p) => p.userId === principal.userId);
  }

  /**
   * Throws unless the principal may enter the live room: participants of that session only, the
   * applicant guest only for its bound session, auditors never (they review recordings afterwards).
   */
  async assertCanJoin(principal: Principal, sessionId: string): Promise<Session> {
    const session = await this.get(sessionId);
    if (principal.kind === 'user' && principal.role === 'auditor')
      throw new ForbiddenError('auditors do not join live sessions');
    if (!this.isParticipant(principal, session)) throw new ForbiddenError('not a participant of this session');
    if (session.status !== 'open') throw new ConflictError('the session has ended', 'session_ended');
    return session;
  }
}
