// Staff accounts: clerks and officials belong to a site; auditors and admins to the platform. A
// password someone else set (an admin creating or resetting the account) must be changed by its
// owner before anything else (must_change_password; issue 12 §5).
import { randomUUID } from 'node:crypto';
import type { Database } from '../../kernel/store/Database.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../kernel/errors.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { type Role, type UserPrincipal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly siteId: string | null;
  readonly disabled: boolean;
  readonly createdAt: string;
  /** The password was set by someone else: the owner must choose a new one before anything else. */
  readonly mustChangePassword: boolean;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  site_id: string | null;
  password_hash: string;
  disabled: number;
  created_at: string;
  must_change_password: number;
}

export interface NewUser {
  readonly id?: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly siteId: string | null;
  readonly password: string;
  /** False only when the owner chose the password (the demo's seeded users); true by default. */
  readonly mustChangePassword?: boolean;
}

export class UserService {
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async list(): Promise<User[]> {
    return (await this.#db.all<UserRow>('SELECT * FROM users ORDER BY username')).map(toUser);
  }

  async get(id: string): Promise<User> {
    const user = await this.find(id);
    if (!user) throw new NotFoundError(`user ${id}`);
    return user;
  }

  async find(id: string): Promise<User | undefined> {
    const row = await this.#db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    return row && toUser(row);
  }

  async create(input: NewUser): Promise<User> {
    assertSiteFitsRole(input.role, input.siteId);
    const id = input.id ?? randomUUID();
    // Hashed first: the check and the insert are one immediate transaction, not held open for the hash.
    const hash = await hashPassword(input.password);
    await this.#db.transaction(async () => {
      if (await this.#db.get('SELECT 1 FROM users WHERE username = ? OR id = ?', [input.username, id]))
        throw new ConflictError(`user ${input.username} exists`, 'user_exists');
      await this.#db.run(
        `INSERT INTO users (id, username, display_name, role, site_id, password_hash, disabled, created_at, must_change_password)
         VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
        [
          id,
          input.username,
          input.displayName,
          input.role,
          input.siteId,
          hash,
          this.#clock().toISOString(),
          input.mustChangePassword === false ? 0 : 1,
        ],
      );
    }, 'immediate');
    return this.get(id);
  }

  /**
   * Sets a new password. `byOwner`: the user chose it (the forced change is over); otherwise an
   * admin reset it and the owner must change it at the next login.
   */
  async setPassword(id: string, password: string, byOwner: boolean): Promise<User> {
    const hash = await hashPassword(password);
    const r = await this.#db.run(
      'UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ? WHERE id = ?',
      [hash, byOwner ? 0 : 1, this.#clock().toISOString(), id],
    );
    if (r.changes === 0) throw new NotFoundError(`user ${id}`);
    return this.get(id);
  }

  /** Whether `password` is the user's current one (same cost as a login). */
  async checkPassword(id: string, password: string): Promise<boolean> {
    const row = await this.#db.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ?', [id]);
    return verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash));
  }

  async setDisabled(id: string, disabled: boolean): Promise<User> {
    const r = await this.#db.run('UPDATE users SET disabled = ? WHERE id = ?', [disabled ? 1 : 0, id]);
    if (r.changes === 0) throw new NotFoundError(`user ${id}`);
    return this.get(id);
  }

  /** The user for these credentials, or undefined; costs the same time whether or not the user exists. */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const row = await this.#db.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash));
    if (!row || !ok || row.disabled) return undefined;
    return toUser(row);
  }
}

export function toPrincipal(user: User): UserPrincipal {
  return {
    kind: 'user',
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    siteId: user.siteId,
  };
}

function assertSiteFitsRole(role: Role, siteId: string | null): void {
  const needsSite = role === 'clerk' || role === 'official';
  if (needsSite && !siteId) throw new BadRequestError(`a ${role} belongs to a site`, 'site_required');
  if (!needsSite && siteId)
    throw new BadRequestError(`an ${role} belongs to the platform, not a site`, 'site_not_allowed');
}

function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    siteId: r.site_id,
    disabled: r.disabled === 1,
    createdAt: r.created_at,
    mustChangePassword: r.must_change_password === 1,
  };
}
