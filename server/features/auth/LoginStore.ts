// Where login sessions live, by the SHA-256 of their token: the SQLite table login_sessions (one
// node, the default), or Redis (every node of a cluster sees a login made on any of them). Ended
// logins are announced on a revocation channel that reaches every node sharing the store, so each
// closes its own live sockets of that login or user.
import type { Clock } from '../../kernel/clock.js';
import type { RedisConnection } from '../../kernel/redis.js';
import type { Database } from '../../kernel/store/Database.js';

export interface LoginRecord {
  readonly kind: 'user' | 'guest';
  readonly userId: string | null;
  readonly sessionId: string | null;
  readonly guestId: string | null;
  readonly caseId: string | null;
  readonly displayName: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export type LoginRevocation = { tokenHash: string } | { userId: string };

export interface LoginStore {
  insert(tokenHash: string, record: LoginRecord): Promise<void>;
  /** The login, unless it was revoked (expiry is the caller's to check, against its clock). */
  get(tokenHash: string): Promise<LoginRecord | undefined>;
  revoke(tokenHash: string): Promise<void>;
  revokeUser(userId: string): Promise<void>;
  /** Ends the guest logins of a video session; returns their token hashes. */
  revokeGuestsOf(sessionId: string): Promise<string[]>;
  /** Deletes the logins no token can open any more; returns how many. */
  purgeEnded(): Promise<number>;
  /** Tells every node sharing this store (this one included). */
  announce(which: LoginRevocation): Promise<void>;
  /** Told of revocations announced by any node sharing this store; returns the unsubscribe. */
  onRevoke(listener: (which: LoginRevocation) => void): () => void;
}

interface LoginRow {
  kind: 'user' | 'guest';
  user_id: string | null;
  session_id: string | null;
  guest_id: string | null;
  case_id: string | null;
  display_name: string | null;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** Revocation listeners of this process (the embedded store announces to them directly). */
class LocalRevocations {
  readonly #listeners = new Set<(which: LoginRevocation) => void>();

  deliver(which: LoginRevocation): void {
    for (const listener of this.#listeners) listener(which);
  }

  add(listener: (which: LoginRevocation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export class SqliteLoginStore implements LoginStore {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #local = new LocalRevocations();

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async insert(tokenHash: string, r: LoginRecord): Promise<void> {
    await this.#db.run(
      `INSERT INTO login_sessions (token_hash, kind, user_id, session_id, guest_id, case_id, display_name, created_at,
         expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [tokenHash, r.kind, r.userId, r.sessionId, r.guestId, r.caseId, r.displayName, r.createdAt, r.expiresAt],
    );
  }

  async get(tokenHash: string): Promise<LoginRecord | undefined> {
    const row = await this.#db.get<LoginRow>('SELECT * FROM login_sessions WHERE token_hash = ?', [tokenHash]);
    if (!row || row.revoked_at) return undefined;
    return {
      kind: row.kind,
      userId: row.user_id,
      sessionId: row.session_id,
      guestId: row.guest_id,
      caseId: row.case_id,
      displayName: row.display_name,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  async revoke(tokenHash: string): Promise<void> {
    await this.#db.run('UPDATE login_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL', [
      this.#now(),
      tokenHash,
    ]);
  }

  async revokeUser(userId: string): Promise<void> {
    await this.#db.run('UPDATE login_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [
      this.#now(),
      userId,
    ]);
  }

  async revokeGuestsOf(sessionId: string): Promise<string[]> {
    const rows = await this.#db.all<{ tokenHash: string }>(
      `UPDATE login_sessions SET revoked_at = ? WHERE kind = 'guest' AND session_id = ? AND revoked_at IS NULL
       RETURNING token_hash AS "tokenHash"`,
      [this.#now(), sessionId],
    );
    return rows.map((r) => r.tokenHash);
  }

  async purgeEnded(): Promise<number> {
    return (
      await this.#db.run('DELETE FROM login_sessions WHERE expires_at <= ? OR revoked_at IS NOT NULL', [this.#now()])
    ).changes;
  }

  async announce(which: LoginRevocation): Promise<void> {
    this.#local.deliver(which);
  }

  onRevoke(listener: (which: LoginRevocation) => void): () => void {
    return this.#local.add(listener);
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

/** Deletes every login named in the set KEYS[1] (keys ARGV[1] .. hash) and the set; returns the hashes of those that lived. */
const REVOKE_ALL_IN_SET = `
local ended = {}
for _, h in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('DEL', ARGV[1] .. h) == 1 then table.insert(ended, h) end
end
redis.call('DEL', KEYS[1])
return ended`;

const REVOKED_CHANNEL = 'login-revoked';

/**
 * Logins as Redis hashes expiring with the login (a revoked login is simply deleted: the audit log
 * keeps who logged in and out), with a set of token hashes per user and per video session for the
 * revocations that end them all. The sets live as long as their longest login.
 */
export class RedisLoginStore implements LoginStore {
  readonly #redis: RedisConnection;
  readonly #clock: Clock;
  readonly #local = new LocalRevocations();

  private constructor(redis: RedisConnection, clock: Clock) {
    this.#redis = redis;
    this.#clock = clock;
  }

  static async open(redis: RedisConnection, clock: Clock): Promise<RedisLoginStore> {
    const store = new RedisLoginStore(redis, clock);
    await redis.subscribe(REVOKED_CHANNEL, (message) => store.#local.deliver(JSON.parse(message) as LoginRevocation));
    return store;
  }

  async insert(tokenHash: string, r: LoginRecord): Promise<void> {
    const ttlMs = Math.max(1, Date.parse(r.expiresAt) - this.#clock().getTime());
    const key = this.#login(tokenHash);
    const fields = Object.entries(r).flatMap(([k, v]) => (v === null ? [] : [k, String(v)]));
    const index = r.kind === 'user' ? this.#byUser(r.userId!) : this.#byGuestSession(r.sessionId!);
    // The index set is kept while any of its logins may live: its expiry only ever grows.
    await this.#redis.client
      .multi()
      .hset(key, ...fields)
      .pexpire(key, ttlMs)
      .sadd(index, tokenHash)
      .pexpire(index, ttlMs, 'GT')
      .pexpire(index, ttlMs, 'NX')
      .exec()
      .then(failedStep);
  }

  async get(tokenHash: string): Promise<LoginRecord | undefined> {
    const h = await this.#redis.client.hgetall(this.#login(tokenHash));
    if (!h.kind || !h.createdAt || !h.expiresAt) return undefined;
    return {
      kind: h.kind === 'guest' ? 'guest' : 'user',
      userId: h.userId ?? null,
      sessionId: h.sessionId ?? null,
      guestId: h.guestId ?? null,
      caseId: h.caseId ?? null,
      displayName: h.displayName ?? null,
      createdAt: h.createdAt,
      expiresAt: h.expiresAt,
    };
  }

  async revoke(tokenHash: string): Promise<void> {
    await this.#redis.client.del(this.#login(tokenHash));
  }

  async revokeUser(userId: string): Promise<void> {
    await this.#revokeSet(this.#byUser(userId));
  }

  async revokeGuestsOf(sessionId: string): Promise<string[]> {
    return this.#revokeSet(this.#byGuestSession(sessionId));
  }

  async purgeEnded(): Promise<number> {
    return 0; // Redis expires logins itself
  }

  async announce(which: LoginRevocation): Promise<void> {
    await this.#redis.publish(REVOKED_CHANNEL, JSON.stringify(which));
  }

  onRevoke(listener: (which: LoginRevocation) => void): () => void {
    return this.#local.add(listener);
  }

  async #revokeSet(set: string): Promise<string[]> {
    return (await this.#redis.client.eval(REVOKE_ALL_IN_SET, 1, set, this.#login(''))) as string[];
  }

  #login(tokenHash: string): string {
    return this.#redis.key('login', tokenHash);
  }

  #byUser(userId: string): string {
    return this.#redis.key('login-user', userId);
  }

  #byGuestSession(sessionId: string): string {
    return this.#redis.key('login-guests', sessionId);
  }
}

/** A MULTI's replies: the first command error, thrown. */
function failedStep(replies: [Error | null, unknown][] | null): void {
  const failed = replies?.find(([err]) => err)?.[0];
  if (failed) throw failed;
  if (!replies) throw new Error('Redis transaction aborted');
}
