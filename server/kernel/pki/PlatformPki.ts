// The platform PKI on the server's SQLite database: root CA → a CA per site → signer, applicant
// event, TSA, seal and TLS certificates; CA, TSA and seal keys inside the PKCS#11 token, user keys
// sealed under their PIN and a token secret, event and TLS keys under a token-derived key;
// revocation with a CRL per CA; the RFC 3161 TSA.
// Mutations run one at a time (#exclusive) so that concurrent callers cannot create twin CAs.
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import type { RevocationReason } from '../../../certs/crl.js';
import { certificatePem, toPem } from '../../../certs/encoding.js';
import { PkiError } from '../../../certs/errors.js';
import { DAY_MS } from '../../../certs/hierarchy.js';
import { exportPkcs8 } from '../../../certs/keys.js';
import { assertValidPin, type ScryptCost } from '../../../certs/keystore.js';
import { eventSubject, sealSubject, signerSubject, tlsSubject, tsaSubject } from '../../../certs/subjects.js';
import { TimeStampAuthority } from '../../../certs/tsa/TimeStampAuthority.js';
import { HttpTimeStamper } from '../../../certs/tsa/HttpTimeStamper.js';
import { InProcessTimeStamper } from '../../../certs/tsa/InProcessTimeStamper.js';
import type { Signer, TimeStamper } from '../../../certs/types.js';
import type { Database } from '../store/Database.js';
import { CertificateAuthorities, type IssueSpec } from './CertificateAuthorities.js';
import { openEmbeddedToken } from '../hsm/embedded-softhsm.js';
import type { Pkcs11Token } from '../hsm/Pkcs11Token.js';
import { PkiStore, type CertificateRow } from './PkiStore.js';
import type { CertificateInfo, CertificateKind, SiteRef, UserRole } from './types.js';
import {
  eventCertificateSchema,
  hostnamesSchema,
  identifier,
  parseInput,
  revocationReasonSchema,
  siteSchema,
  userCertificateSchema,
} from './validation.js';

export interface PlatformPkiOptions {
  readonly db: Database;
  readonly dataDir: string;
  /** Public base URL named in CRL distribution points; https://127.0.0.1:8443 (the server default) when absent. */
  readonly baseUrl?: string;
  readonly clock?: () => Date;
  /** The PKCS#11 token holding the platform keys; otherwise the embedded SoftHSM2 token of dataDir. */
  readonly token?: Pkcs11Token;
  /** An external RFC 3161 TSA for timeStamper(); the in-process TSA otherwise. */
  readonly tsaUrl?: string;
  /** RSA size of CA keys: 3072 (default); tests may use 2048 to save time. */
  readonly caKeyBits?: 2048 | 3072;
  /** scrypt cost of PIN-protected keys (tests may lower it). */
  readonly pinKdfCost?: ScryptCost;
}

const MAX_PIN_FAILURES = 5;
/** The token secret behind the applicant's per-case pseudonym. */
const CASE_REF_SECRET = 'tongban:case-ref';
/** Platform certificates (TSA, seal, TLS) are renewed this long before they expire. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
const VALIDITY_MS = {
  tsa: 5 * 365 * DAY_MS,
  seal: 5 * 365 * DAY_MS,
  tls: 397 * DAY_MS,
  user: 2 * 365 * DAY_MS,
  eventMinutes: 120,
} as const;

export class PlatformPki {
  readonly #store: PkiStore;
  readonly #cas: CertificateAuthorities;
  readonly #clock: () => Date;
  readonly #tsaUrl: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #tsa: { certificateId: string; authority: TimeStampAuthority } | undefined;

  readonly token: Pkcs11Token;

  private constructor(o: PlatformPkiOptions) {
    this.token = o.token ?? openEmbeddedToken(o.dataDir);
    this.token.ensureSecret(CASE_REF_SECRET);
    this.#store = new PkiStore(o.db);
    this.#clock = o.clock ?? (() => new Date());
    this.#tsaUrl = o.tsaUrl;
    this.#cas = new CertificateAuthorities({
      store: this.#store,
      clock: this.#clock,
      baseUrl: o.baseUrl ?? 'https://127.0.0.1:8443',
      token: this.token,
      caKeyBits: o.caKeyBits ?? 3072,
      pinKdfCost: o.pinKdfCost,
    });
  }

  static open(opts: PlatformPkiOptions): PlatformPki {
    return new PlatformPki(opts);
  }

  isInitialised(): Promise<boolean> {
    return this.#cas.isInitialised();
  }

  /** Root CA, TSA, platform seal and a CA per site; idempotent (adds CAs for new sites only). */
  async init(sites: readonly SiteRef[]): Promise<void> {
    const checked = [...new Map(sites.map((s) => [s.id, parseInput(siteSchema, s, 'site')])).values()];
    await this.#exclusive(async () => {
      await this.#cas.ensureRoot();
      // Key generation dominates and runs on libuv's thread pool: make the site CAs side by side.
      await Promise.all([...checked.map((site) => this.#cas.ensureSiteCa(site)), this.#tsaRow(), this.#sealRow()]);
    });
  }

  async ensureSiteCa(site: SiteRef): Promise<void> {
    const checked = parseInput(siteSchema, site, 'site');
    await this.#exclusive(async () => {
      await this.#cas.ensureRoot();
      await this.#cas.ensureSiteCa(checked);
    });
  }

  /** Issues a signing certificate with a PIN-protected key; an older one of the user is superseded (and listed in the CRL). */
  async issueUserCertificate(o: {
    userId: string;
    name: string;
    role: UserRole;
    siteId: string;
    pin: string;
    validDays?: number;
  }): Promise<CertificateInfo> {
    const input = parseInput(userCertificateSchema, o, 'user certificate request');
    assertValidPin(input.pin);
    return this.#exclusive(async () => {
      const siteName = await this.#cas.siteName(input.siteId);
      const row = await this.#cas.issue({
        kind: 'user',
        caId: input.siteId,
        profile: { kind: 'signer' },
        subject: signerSubject({ name: input.name, siteName, role: input.role, userId: input.userId }),
        durationMs: (input.validDays ?? VALIDITY_MS.user / DAY_MS) * DAY_MS,
        pin: input.pin,
        meta: { userId: input.userId, role: input.role, siteId: input.siteId },
      });
      await this.#supersedeOthers('user_id', input.userId, row.id);
      await this.#store.resetPinState(input.userId);
      return this.#info(row);
    });
  }

  /** Short-lived applicant certificate for one event/case; its key is sealed under a token-derived key. */
  async issueEventCertificate(o: {
    eventId: string;
    name: string;
    caseId: string;
    siteId: string;
    validMinutes?: number;
  }): Promise<CertificateInfo> {
    const input = parseInput(eventCertificateSchema, o, 'event certificate request');
    return this.#exclusive(async () => {
      const siteName = await this.#cas.siteName(input.siteId);
      const row = await this.#cas.issue({
        kind: 'event',
        caId: input.siteId,
        profile: { kind: 'event' },
        subject: eventSubject({
          name: input.name,
          siteName,
          caseRef: this.caseRef(input.caseId),
          eventId: input.eventId,
        }),
        durationMs: (input.validMinutes ?? VALIDITY_MS.eventMinutes) * 60_000,
        meta: { eventId: input.eventId, siteId: input.siteId },
      });
      await this.#supersedeOthers('event_id', input.eventId, row.id);
      return this.#info(row);
    });
  }

  /**
   * The applicant's pseudonym in a case's event certificates: HMAC_token(case id), 128 bits. Random
   * to anyone without the token, the same for every certificate of the case, unrelated to the ID
   * number (the ID number's HMAC would link one person across cases).
   */
  caseRef(caseId: string): string {
    return Buffer.from(this.token.hmac(CASE_REF_SECRET, Buffer.from(`case:${caseId}`, 'utf8')))
      .subarray(0, 16)
      .toString('hex');
  }

  /**
   * The user's signer after checking the PIN. Five wrong PINs in a row lock the key until a new
   * certificate is issued. Throws PkiError wrong_pin | key_locked | no_certificate | revoked | expired.
   */
  async unlockUserSigner(userId: string, pin: string): Promise<Signer> {
    return this.#unlock(await this.#userRow(userId), userId, pin);
  }

  /**
   * The user's signer at once, its PIN checked meanwhile: scrypt runs in the thread pool while the
   * caller prepares the document. `signer.sign` waits for the check and fails as unlockUserSigner
   * does; `unlocked` settles once the check is over and recorded, and must be awaited before the
   * database closes. Certificate problems (no_certificate, revoked, expired, key_locked) throw here.
   */
  async userSignerWhileUnlocking(userId: string, pin: string): Promise<{ signer: Signer; unlocked: Promise<Signer> }> {
    const row = await this.#userRow(userId);
    const unlocked = this.#unlock(row, userId, pin);
    // Awaited by the caller; this keeps a wrong PIN found before sign() is called from counting as unhandled.
    unlocked.catch(() => undefined);
    const signer: Signer = {
      certificate: new Uint8Array(row.der),
      chain: await this.#cas.chainOf(row),
      sign: async (data, digest) => (await unlocked).sign(data, digest),
    };
    return { signer, unlocked };
  }

  async #userRow(userId: string): Promise<CertificateRow> {
    const row = this.#usableRow(
      await this.#store.currentFor('user_id', parseInput(identifier, userId, 'user id')),
      `user ${userId}`,
    );
    if ((await this.#store.pinState(userId)).locked_at)
      throw new PkiError('key_locked', `the signing key of ${userId} is locked after ${MAX_PIN_FAILURES} wrong PINs`);
    return row;
  }

  /**
   * The owner changes the PIN of their current signing key: the old PIN must open it (a wrong one
   * counts towards the lock like any other); the same key is sealed again under the new PIN and the
   * token. Throws PkiError wrong_pin | key_locked | invalid_pin | no_certificate | revoked | expired.
   */
  async changeUserPin(userId: string, oldPin: string, newPin: string): Promise<void> {
    assertValidPin(newPin);
    await this.#exclusive(async () => {
      const row = await this.#userRow(userId);
      const key = await this.#unlockKey(row, userId, oldPin);
      await this.#cas.resealWithPin(row, key, newPin);
    });
  }

  async #unlock(row: CertificateRow, userId: string, pin: string): Promise<Signer> {
    return this.#cas.signer(row, await this.#unlockKey(row, userId, pin));
  }

  async #unlockKey(row: CertificateRow, userId: string, pin: string): Promise<KeyObject> {
    let key: KeyObject;
    try {
      key = await this.#cas.unlockWithPin(row, pin);
    } catch (err) {
      if (!(err instanceof PkiError) || err.code !== 'wrong_pin') throw err;
      const state = await this.#store.recordPinFailure(userId, this.#now(), MAX_PIN_FAILURES);
      if (state.locked_at) throw new PkiError('key_locked', `wrong PIN; the signing key of ${userId} is now locked`);
      const left = MAX_PIN_FAILURES - state.failed_attempts;
      throw new PkiError('wrong_pin', `wrong PIN (${left} attempt${left === 1 ? '' : 's'} left)`);
    }
    await this.#store.resetPinState(userId);
    return key;
  }

  async eventSigner(eventId: string): Promise<Signer> {
    const row = this.#usableRow(await this.#store.currentFor('event_id', eventId), `event ${eventId}`);
    return this.#cas.signer(row, await this.#cas.wrappedKey(row));
  }

  async sealSigner(): Promise<Signer> {
    const row = await this.#exclusive(() => this.#sealRow());
    return this.#cas.signer(row, await this.#cas.tokenKey(row));
  }

  /**
   * `validBeyond`: the in-process TSA's certificate must outlive this time (a long-term validation
   * renewal needs a TSA that is not itself about to end); it is re-issued early when it does not.
   */
  timeStamper(options: { validBeyond?: Date } = {}): TimeStamper {
    if (this.#tsaUrl) return new HttpTimeStamper(this.#tsaUrl);
    const { validBeyond } = options;
    // Readied now (key found, certificate read) so that this overlaps the caller's own work,
    // such as waiting for a PIN check; each stamp still asks for the current TSA certificate.
    this.#tsaAuthority(validBeyond).catch(() => undefined);
    return {
      timestamp: async (hash, digest) =>
        new InProcessTimeStamper(await this.#tsaAuthority(validBeyond)).timestamp(hash, digest),
    };
  }

  /** DER TimeStampResp for the body of POST /pki/tsa (bad requests get a rejection response). */
  async handleTimestampRequest(body: Uint8Array): Promise<Uint8Array> {
    return (await this.#tsaAuthority()).respond(body);
  }

  /** Revokes the user's current certificate and re-issues the CRL of its CA. */
  async revoke(userId: string, reason: RevocationReason): Promise<void> {
    const why = parseInput(revocationReasonSchema, reason, 'revocation reason');
    await this.#exclusive(async () => {
      const row = await this.#store.currentFor('user_id', userId);
      if (!row) throw new PkiError('no_certificate', `user ${userId} has no certificate`);
      if (row.status === 'revoked') return;
      await this.#cas.revoke(row, why, 'revoked');
      await this.#cas.issueCrl(row.ca_id);
    });
  }

  async rootCertificatePem(): Promise<string> {
    return certificatePem(await this.#cas.certificate('root'));
  }

  async trustAnchors(): Promise<Uint8Array[]> {
    return [await this.#cas.certificate('root')];
  }

  caCertificates(): Promise<Uint8Array[]> {
    return this.#cas.allCertificates();
  }

  async crls(): Promise<{ caId: string; der: Uint8Array }[]> {
    const cas = await this.#store.cas();
    return Promise.all(cas.map(async (ca) => ({ caId: ca.id, der: (await this.#cas.currentCrl(ca.id))! })));
  }

  /** The current CRL of a CA, re-issued when past its nextUpdate; undefined for an unknown CA. */
  crl(caId: string): Promise<Uint8Array | undefined> {
    return this.#cas.currentCrl(caId);
  }

  /** A TLS server certificate for these host names/IPs from the root, reused while it is valid. */
  async serverTlsCredentials(
    hostnames: readonly string[],
  ): Promise<{ keyPem: string; certPem: string; chainPem: string }> {
    const names = [...new Set(parseInput(hostnamesSchema, [...hostnames], 'host names'))].sort();
    const joined = names.join(',');
    const row = await this.#exclusive(() =>
      this.#platformRow(
        'tls',
        {
          kind: 'tls',
          caId: 'root',
          profile: {
            kind: 'tls',
            dnsNames: names.filter((h) => isIP(h) === 0),
            ipAddresses: names.filter((h) => isIP(h) !== 0),
          },
          subject: tlsSubject(names[0]!),
          durationMs: VALIDITY_MS.tls,
          meta: { hostnames: joined },
        },
        (current) => current.hostnames === joined,
      ),
    );
    return {
      keyPem: toPem(exportPkcs8(await this.#cas.wrappedKey(row)), 'PRIVATE KEY'),
      certPem: certificatePem(row.der),
      chainPem: await this.rootCertificatePem(),
    };
  }

  async certificates(filter: { userId?: string; siteId?: string } = {}): Promise<CertificateInfo[]> {
    return (await this.#store.endEntities(filter)).map((row) => this.#info(row));
  }

  // ---- internals -------------------------------------------------------------------------

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  /**
   * The current platform certificate of a kind, (re)issued from the root when missing, due for
   * renewal or not what is needed (`fits`); the one it replaces is marked superseded.
   */
  async #platformRow(
    kind: 'tsa' | 'seal' | 'tls',
    spec: IssueSpec,
    fits: (row: CertificateRow) => boolean = () => true,
  ): Promise<CertificateRow> {
    const current = await this.#store.currentOfKind(kind);
    if (current && fits(current) && !this.#dueForRenewal(current)) return current;
    await this.#cas.requireRoot();
    const row = await this.#cas.issue(spec);
    if (current) await this.#store.setStatus(current.id, 'superseded');
    return row;
  }

  #tsaRow(validBeyond?: Date): Promise<CertificateRow> {
    return this.#platformRow(
      'tsa',
      {
        kind: 'tsa',
        caId: 'root',
        profile: { kind: 'tsa' },
        subject: tsaSubject(),
        durationMs: VALIDITY_MS.tsa,
      },
      (row) => !validBeyond || Date.parse(row.not_after) > validBeyond.getTime(),
    );
  }

  #sealRow(): Promise<CertificateRow> {
    return this.#platformRow('seal', {
      kind: 'seal',
      caId: 'root',
      profile: { kind: 'seal' },
      subject: sealSubject(),
      durationMs: VALIDITY_MS.seal,
    });
  }

  #dueForRenewal(row: CertificateRow): boolean {
    return new Date(row.not_after).getTime() - RENEW_BEFORE_MS <= this.#clock().getTime();
  }

  async #tsaAuthority(validBeyond?: Date): Promise<TimeStampAuthority> {
    const row = await this.#exclusive(() => this.#tsaRow(validBeyond));
    if (this.#tsa?.certificateId !== row.id) {
      const signer = await this.#cas.signer(row, await this.#cas.tokenKey(row));
      const authority = new TimeStampAuthority({
        signer,
        clock: this.#clock,
        nextSerial: async () => (await this.#store.nextCounter('tsa_serial')).toString(16),
      });
      this.#tsa = { certificateId: row.id, authority };
    }
    return this.#tsa.authority;
  }

  /** Marks every other live certificate of the user/event superseded and lists it in its CA's CRL. */
  async #supersedeOthers(column: 'user_id' | 'event_id', value: string, keepId: string): Promise<void> {
    const others = (await this.#store.liveFor(column, value)).filter((r) => r.id !== keepId);
    for (const row of others) await this.#cas.revoke(row, 'superseded', 'superseded');
    for (const caId of new Set(others.map((r) => r.ca_id))) await this.#cas.issueCrl(caId);
  }

  /** Checks that the current certificate exists, is not revoked and has not expired. */
  #usableRow(row: CertificateRow | undefined, who: string): CertificateRow {
    if (!row) throw new PkiError('no_certificate', `${who} has no certificate`);
    if (row.status === 'revoked') throw new PkiError('revoked', `the certificate of ${who} is revoked`);
    if (new Date(row.not_after) < this.#clock())
      throw new PkiError('expired', `the certificate of ${who} expired on ${row.not_after}`);
    return row;
  }

  #info(row: CertificateRow): CertificateInfo {
    const expired = row.status === 'valid' && new Date(row.not_after) < this.#clock();
    return {
      id: row.id,
      serial: row.serial,
      subject: row.subject,
      caId: row.ca_id,
      userId: row.user_id,
      eventId: row.event_id,
      kind: row.kind as CertificateKind,
      role: row.role,
      siteId: row.site_id,
      notBefore: row.not_before,
      notAfter: row.not_after,
      status: expired ? 'expired' : row.status,
      certificatePem: certificatePem(row.der),
    };
  }
}
