// Who is in a session's live room, as the media plane reports it: every join, leave and recording
// consent is written here (server-side, so a clerk cannot claim a presence the room never saw).
// Participants are named by principal id (`user:<id>`, `guest:<id>`), the media peers' ids.
import type { Database } from '../../kernel/store/Database.js';
import type { Clock } from '../../kernel/clock.js';

export type PresenceEvent = 'joined' | 'left' | 'consented';

export interface ParticipantPresence {
  readonly participantId: string;
  /** Joined and not left since. */
  readonly present: boolean;
  readonly consented: boolean;
  readonly firstJoinedAt: string | null;
}

export class SessionPresence {
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async record(sessionId: string, participantId: string, event: PresenceEvent): Promise<void> {
    await this.#db.run('INSERT INTO session_presence (session_id, participant_id, event, at) VALUES (?, ?, ?, ?)', [
      sessionId,
      participantId,
      event,
      this.#clock().toISOString(),
    ]);
  }

  /** Live rooms do not survive a restart: whoever the last process saw in a room has left. */
  async leaveAll(): Promise<number> {
    // The read and the leaves in one immediate transaction: a join recorded meanwhile is not undone.
    return this.#db.transaction(async () => {
      const stale = await this.#db.all<{ sessionId: string; participantId: string }>(
        `SELECT session_id AS "sessionId", participant_id AS "participantId" FROM session_presence p
         WHERE event IN ('joined', 'left') AND seq = (SELECT MAX(seq) FROM session_presence q
           WHERE q.session_id = p.session_id AND q.participant_id = p.participant_id AND q.event IN ('joined', 'left'))
         AND event = 'joined'`,
      );
      for (const s of stale) await this.record(s.sessionId, s.participantId, 'left');
      return stale.length;
    }, 'immediate');
  }

  /** Every join, leave and consent of the session, in the order the room saw them. */
  async events(
    sessionId: string,
  ): Promise<{ readonly id: string; readonly event: PresenceEvent; readonly at: string }[]> {
    return this.#db.all<{ id: string; event: PresenceEvent; at: string }>(
      'SELECT participant_id AS id, event, at FROM session_presence WHERE session_id = ? ORDER BY seq',
      [sessionId],
    );
  }

  /** Everyone the room has seen in this session. */
  async of(sessionId: string): Promise<ParticipantPresence[]> {
    const rows = await this.events(sessionId);
    const byId = new Map<string, { present: boolean; consented: boolean; firstJoinedAt: string | null }>();
    for (const r of rows) {
      const p = byId.get(r.id) ?? { present: false, consented: false, firstJoinedAt: null };
      if (r.event === 'joined') {
        p.present = true;
        p.firstJoinedAt ??= r.at;
      } else if (r.event === 'left') p.present = false;
      else p.consented = true;
      byId.set(r.id, p);
    }
    return [...byId].map(([participantId, p]) => ({ participantId, ...p }));
  }

  async get(sessionId: string, participantId: string): Promise<ParticipantPresence> {
    return (
      (await this.of(sessionId)).find((p) => p.participantId === participantId) ?? {
        participantId,
        present: false,
        consented: false,
        firstJoinedAt: null,
      }
    );
  }
}
