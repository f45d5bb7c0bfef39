// Signing PINs chosen by their owner (issue 12 §5). An admin no longer sets a user's PIN: they get a
// one-time enrolment code (shown once; only its SHA-256 is kept; it expires; a new one replaces
// the open one) and hand it over. The owner, signed in, redeems it with a PIN of their own choice,
// and only then is the signing key generated and wrapped under that PIN (PlatformPki). The owner
// changes the PIN later with the old one (PlatformPki.changeUserPin re-wraps the key).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../../kernel/store/Database.js';
import type { Clock } from '../../kernel/clock.js';
import { BadRequestError, ConflictError } from '../../kernel/errors.js';
import type { CatalogService } from '../catalog/index.js';
import type { UserService } from './UserService.js';

/** The PlatformPki operations enrolment needs. */
export interface EnrolmentPki {
  ensureSiteCa(site: { id: string; name: string }): Promise<unknown>;
  issueUserCertificate(input: {
    userId: string;
    name: string;
    role: 'clerk' | 'official';
    siteId: string;
    pin: string;
  }): Promise<{ serial: string; notAfter: string }>;
}

interface EnrolmentRow {
  code_hash: string;
  issued_by: string;
  expires_at: string;
}

/** Crockford-like base32 without look-alikes (0/O, 1/I/L): read aloud or typed from paper. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

export class PinEnrolments {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #users: UserService;
  readonly #catalog: CatalogService;
  readonly #pki: EnrolmentPki;
  readonly #ttlMs: number;
  readonly #minPinLength: number;

  constructor(opts: {
    db: Database;
    clock: Clock;
    users: UserService;
    catalog: CatalogService;
    pki: EnrolmentPki;
    ttlMs: number;
    minPinLength: number;
  }) {
    this.#db = opts.db;
    this.#clock = opts.clock;
    this.#users = opts.users;
    this.#catalog = opts.catalog;
    this.#pki = opts.pki;
    this.#ttlMs = opts.ttlMs;
    this.#minPinLength = opts.minPinLength;
  }

  /** A new one-time code for a clerk or official (replacing any open one); the code is returned once, never stored. */
  async issue(userId: string, issuedBy: string): Promise<{ userId: string; code: string; expiresAt: string }> {
    const user = await this.#signer(userId);
    // 16 symbols of 30: ~78 bits, grouped by four for reading.
    const raw = [...randomBytes(16)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
    const code = raw.match(/.{4}/g)!.join('-');
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + this.#ttlMs).toISOString();
    await this.#db.run(
      `INSERT INTO pin_enrolments (user_id, code_hash, issued_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(user_id) DO UPDATE SET code_hash = excluded.code_hash, issued_by = excluded.issued_by,
         created_at = excluded.created_at, expires_at = excluded.expires_at`,
      [user.id, hashCode(code), issuedBy, now.toISOString(), expiresAt],
    );
    return { userId: user.id, code, expiresAt };
  }

  /**
   * Redeems the owner's code with the PIN they chose: the code is used up, then the key is made and
   * wrapped under the PIN and the certificate issued (an older one is superseded). Returns it and
   * who issued the code.
   */
  async redeem(
    userId: string,
    code: string,
    pin: string,
  ): Promise<{ certificate: { serial: string; notAfter: string }; issuedBy: string }> {
    this.assertPinPolicy(pin);
    const user = await this.#signer(userId);
    const row = await this.#db.get<EnrolmentRow>(
      'SELECT code_hash, issued_by, expires_at FROM pin_enrolments WHERE user_id = ?',
      [user.id],
    );
    const given = Buffer.from(hashCode(code), 'hex');
    const valid =
      row !== undefined &&
      timingSafeEqual(Buffer.from(row.code_hash, 'hex'), given) &&
      row.expires_at > this.#clock().toISOString();
    if (!valid) throw new ConflictError('the enrolment code is wrong, used or expired', 'enrolment_invalid');
    // Used up before the (slow) key generation, so the same code cannot be redeemed twice at once.
    // The DELETE names the hash it checked: of two redeemers at once, only one deletes the row.
    const taken = (
      await this.#db.run('DELETE FROM pin_enrolments WHERE user_id = ? AND code_hash = ?', [user.id, row.code_hash])
    ).changes;
    if (taken === 0) throw new ConflictError('the enrolment code is wrong, used or expired', 'enrolment_invalid');
    const site = await this.#catalog.site(user.siteId);
    await this.#pki.ensureSiteCa({ id: site.id, name: site.name });
    const certificate = await this.#pki.issueUserCertificate({
      userId: user.id,
      name: user.displayName,
      role: user.role,
      siteId: site.id,
      pin,
    });
    return { certificate, issuedBy: row.issued_by };
  }

  /** The platform's PIN rule for a PIN someone chooses: digits only, at least limits.pinMinLength, at most 12. */
  assertPinPolicy(pin: string): void {
    if (!/^\d+$/.test(pin) || pin.length < this.#minPinLength || pin.length > 12)
      throw new BadRequestError(`a signing PIN is ${this.#minPinLength} to 12 digits`, 'invalid_pin');
  }

  /** Deletes codes past their expiry; returns how many. */
  async purgeExpired(): Promise<number> {
    return (await this.#db.run('DELETE FROM pin_enrolments WHERE expires_at <= ?', [this.#clock().toISOString()]))
      .changes;
  }

  async #signer(
    userId: string,
  ): Promise<{ id: string; displayName: string; role: 'clerk' | 'official'; siteId: string }> {
    const user = await this.#users.get(userId);
    if ((user.role !== 'clerk' && user.role !== 'official') || !user.siteId)
      throw new BadRequestError('only clerks and officials of a site sign documents', 'not_a_signer');
    return { id: user.id, displayName: user.displayName, role: user.role, siteId: user.siteId };
  }
}

const hashCode = (code: string) =>
  createHash('sha256')
    .update(code.toUpperCase().replace(/[^A-Z0-9]/g, ''))
    .digest('hex');
