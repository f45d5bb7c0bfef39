// The basic ceremony (远程云签约) row: title, host and status. The signing flow adds documents,
// signers and their order in its own tables.
import { randomUUID } from 'node:crypto';
import type { Database } from '../../kernel/store/Database.js';
import { NotFoundError } from '../../kernel/errors.js';
import { type Clock } from '../../kernel/clock.js';

export interface Ceremony {
  readonly id: string;
  readonly title: string;
  readonly hostUserId: string;
  readonly status: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const SELECT =
  'SELECT id, title, host_user_id AS "hostUserId", status, created_at AS "createdAt", updated_at AS "updatedAt" FROM ceremonies';

export class CeremonyStore {
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async create(input: { title: string; hostUserId: string; status?: string }): Promise<Ceremony> {
    const id = randomUUID();
    const now = this.#clock().toISOString();
    await this.#db.run(
      'INSERT INTO ceremonies (id, title, host_user_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      [id, input.title, input.hostUserId, input.status ?? 'created', now, now],
    );
    return this.get(id);
  }

  async get(id: string): Promise<Ceremony> {
    const row = await this.#db.get<Ceremony>(`${SELECT} WHERE id = ?`, [id]);
    if (!row) throw new NotFoundError(`ceremony ${id}`);
    return row;
  }

  async setStatus(id: string, status: string): Promise<Ceremony> {
    const r = await this.#db.run('UPDATE ceremonies SET status = ?, updated_at = ? WHERE id = ?', [
      status,
      this.#clock().toISOString(),
      id,
    ]);
    if (r.changes === 0) throw new NotFoundError(`ceremony ${id}`);
    return this.get(id);
  }
}
