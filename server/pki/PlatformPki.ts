// The platform PKI on the server's SQLite database: root CA → a CA per site → signer, applicant
// event, TSA, seal and TLS certificates; keys encrypted at rest (user keys under their PIN, all
// others under the platform master key); revocation with a CRL per CA; the RFC 3161 TSA.
// Mutations run one at a time (#exclusive) so that concurrent callers cannot create twin CAs.
import { randomUUID, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { certificateFacts } from '../../certs/certificate-facts.js';
import { createCrl, type RevocationReason } from '../../certs/crl.js';
import { certificatePem, toPem } from '../../certs/encoding.js';
import { PkiError } from '../../certs/errors.js';
import { DAY_MS, issueWithNewKey, validity, type Credential } from '../../certs/hierarchy.js';
import { crlUrlFor } from '../../certs/issue-certificate.js';
import { KeySigner } from '../../certs/KeySigner.js';
import { exportPkcs8 } from '../../certs/keys.js';
import {
  assertValidPin,
  decryptWithMasterKey,
  decryptWithPin,
  encryptWithMasterKey,
  encryptWithPin,
  parseKeyRecord,
  serializeKeyRecord,
  type ScryptCost,
} from '../../certs/keystore.js';
import type { SubjectName } from '../../certs/names.js';
import type { CertificateProfile } from '../../certs/profiles.js';
import { eventSubject, rootSubject, sealSubject, signerSubject, siteCaSubject, tlsSubject, tsaSubject } from '../../certs/subjects.js';
import { TimeStampAuthority } from '../../certs/tsa/TimeStampAuthority.js';
import { HttpTimeStamper, InProcessTimeStamper } from '../../certs/tsa/timestampers.js';
import type { Signer, TimeStamper } from '../../certs/types.js';
import type { Database } from '../store/Database.js';
import { loadOrCreateMasterKey } from './master-key.js';
import { PkiStore, type CertificateRow, type StoredKind } from './PkiStore.js';
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
  /** 32 bytes (e.g. from TONGBAN_MASTER_KEY); otherwise <dataDir>/secrets/master.key. */
  readonly masterKey?: Uint8Array;
  /** An external RFC 3161 TSA for timeStamper(); the in-process TSA otherwise. */
  readonly tsaUrl?: string;
  /** RSA size of CA keys: 3072 (default); tests may use 2048 to save time. */
  readonly caKeyBits?: 2048 | 3072;
  /** scrypt cost of PIN-protected keys (tests may lower it). */
  readonly pinKdfCost?: ScryptCost;
}

const MAX_PIN_FAILURES = 5;
const CRL_VALIDITY_MS = 7 * DAY_MS;
/** Platform certificates (TSA, seal, TLS) are renewed this long before they expire. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
const VALIDITY_MS = {
  root: 20 * 365 * DAY_MS,
  siteCa: 10 * 365 * DAY_MS,
  tsa: 5 * 365 * DAY_MS,
  seal: 5 * 365 * DAY_MS,
  tls: 397 * DAY_MS,
  user: 2 * 365 * DAY_MS,
  eventMinutes: 120,
} as const;

interface IssueSpec {
  readonly kind: StoredKind;
  readonly caId: string | null;
  readonly profile: CertificateProfile;
  readonly subject: SubjectName;
  readonly durationMs: number;
  readonly pin?: string;
  readonly meta?: { userId?: string; eventId?: string; role?: string; siteId?: string; hostnames?: string };
}

export class PlatformPki {
  readonly #store: PkiStore;
  readonly #clock: () => Date;
  readonly #baseUrl: string;
  readonly #masterKey: Uint8Array;
  readonly #tsaUrl: string | undefined;
  readonly #caBits: 2048 | 3072;
  readonly #pinCost: ScryptCost | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #tsa: { certificateId: string; authority: TimeStampAuthority } | undefined;

  private constructor(o: PlatformPkiOptions) {
    this.#store = new PkiStore(o.db);
    this.#clock = o.clock ?? (() => new Date());
    this.#baseUrl = o.baseUrl ?? 'https://127.0.0.1:8443';
    this.#masterKey = o.masterKey ?? loadOrCreateMasterKey(o.dataDir);
    if (this.#masterKey.byteLength !== 32) throw new PkiError('invalid_input', 'the master key must be 32 bytes');
    this.#tsaUrl = o.tsaUrl;
    this.#caBits = o.caKeyBits ?? 3072;
    this.#pinCost = o.pinKdfCost;
  }

  static open(opts: PlatformPkiOptions): PlatformPki {
    return new PlatformPki(opts);
  }

  isInitialised(): boolean {
    return this.#store.ca('root') !== undefined;
  }

  /** Root CA, TSA, platform seal and a CA per site; idempotent (adds CAs for new sites only). */
  async init(sites: readonly SiteRef[]): Promise<void> {
    const checked = [...new Map(sites.map((s) => [s.id, parseInput(siteSchema, s, 'site')])).values()];
    await this.#exclusive(async () => {
      await this.#ensureRoot();
      // Key generation dominates and runs on libuv's thread pool: make the site CAs side by side.
      await Promise.all([...checked.map((site) => this.#ensureSiteCa(site)), this.#platformRow('tsa'), this.#platformRow('seal')]);
    });
  }

  async ensureSiteCa(site: SiteRef): Promise<void> {
    const checked = parseInput(siteSchema, site, 'site');
    await this.#exclusive(async () => {
      await this.#ensureRoot();
      await this.#ensureSiteCa(checked);
    });
  }

  /** Issues a signing certificate with a PIN-protected key; an older one of the user is superseded (and listed in the CRL). */
  async issueUserCertificate(o: { userId: string; name: string; role: UserRole; siteId: string; pin: string; validDays?: number }): Promise<CertificateInfo> {
    const input = parseInput(userCertificateSchema, o, 'user certificate request');
    assertValidPin(input.pin);
    return this.#exclusive(async () => {
      const siteName = this.#siteName(input.siteId);
      const row = await this.#issue({
        kind: 'user',
        caId: input.siteId,
        profile: { kind: 'signer' },
        subject: signerSubject({ name: input.name, siteName, role: input.role, userId: input.userId }),
        durationMs: (input.validDays ?? VALIDITY_MS.user / DAY_MS) * DAY_MS,
        pin: input.pin,
        meta: { userId: input.userId, role: input.role, siteId: input.siteId },
      });
      this.#supersedeOthers('user_id', input.userId, row.id);
      this.#store.resetPinState(input.userId);
      return this.#info(row);
    });
  }

  /** Short-lived applicant certificate for one event/case; its key is sealed under the master key. */
  async issueEventCertificate(o: { eventId: string; name: string; idHash: string; siteId: string; validMinutes?: number }): Promise<CertificateInfo> {
    const input = parseInput(eventCertificateSchema, o, 'event certificate request');
    return this.#exclusive(async () => {
      const siteName = this.#siteName(input.siteId);
      const row = await this.#issue({
        kind: 'event',
        caId: input.siteId,
        profile: { kind: 'event' },
        subject: eventSubject({ name: input.name, siteName, idHash: input.idHash.toLowerCase(), eventId: input.eventId }),
        durationMs: (input.validMinutes ?? VALIDITY_MS.eventMinutes) * 60_000,
        meta: { eventId: input.eventId, siteId: input.siteId },
      });
      this.#supersedeOthers('event_id', input.eventId, row.id);
      return this.#info(row);
    });
  }

  /**
   * The user's signer after checking the PIN. Five wrong PINs in a row lock the key until a new
   * certificate is issued. Throws PkiError wrong_pin | key_locked | no_certificate | revoked | expired.
   */
  async unlockUserSigner(userId: string, pin: string): Promise<Signer> {
    const row = this.#usableRow(this.#store.currentFor('user_id', parseInput(identifier, userId, 'user id')), `user ${userId}`);
    if (this.#store.pinState(userId).locked_at) throw new PkiError('key_locked', `the signing key of ${userId} is locked after ${MAX_PIN_FAILURES} wrong PINs`);
    let key: KeyObject;
    try {
      key = await decryptWithPin(parseKeyRecord(this.#keyRecord(row.id)), pin, row.id);
    } catch (err) {
      if (!(err instanceof PkiError) || err.code !== 'wrong_pin') throw err;
      const state = this.#store.recordPinFailure(userId, this.#now(), MAX_PIN_FAILURES);
      if (state.locked_at) throw new PkiError('key_locked', `wrong PIN; the signing key of ${userId} is now locked`);
      const left = MAX_PIN_FAILURES - state.failed_attempts;
      throw new PkiError('wrong_pin', `wrong PIN (${left} attempt${left === 1 ? '' : 's'} left)`);
    }
    this.#store.resetPinState(userId);
    return this.#signer(row, key);
  }

  async eventSigner(eventId: string): Promise<Signer> {
    const row = this.#usableRow(this.#store.currentFor('event_id', eventId), `event ${eventId}`);
    return this.#signer(row, this.#masterKeyed(row));
  }

  async sealSigner(): Promise<Signer> {
    const row = await this.#exclusive(() => this.#platformRow('seal'));
    return this.#signer(row, this.#masterKeyed(row));
  }

  timeStamper(): TimeStamper {
    if (this.#tsaUrl) return new HttpTimeStamper(this.#tsaUrl);
    return { timestamp: async (hash, digest) => new InProcessTimeStamper(await this.#tsaAuthority()).timestamp(hash, digest) };
  }

  /** DER TimeStampResp for the body of POST /pki/tsa (bad requests get a rejection response). */
  async handleTimestampRequest(body: Uint8Array): Promise<Uint8Array> {
    return (await this.#tsaAuthority()).respond(body);
  }

  /** Revokes the user's current certificate and re-issues the CRL of its CA. */
  async revoke(userId: string, reason: RevocationReason): Promise<void> {
    const why = parseInput(revocationReasonSchema, reason, 'revocation reason');
    await this.#exclusive(async () => {
      const row = this.#store.currentFor('user_id', userId);
      if (!row) throw new PkiError('no_certificate', `user ${userId} has no certificate`);
      if (row.status === 'revoked') return;
      this.#revokeRow(row, why, 'revoked');
      this.#issueCrl(row.ca_id);
    });
  }

  rootCertificatePem(): string {
    return certificatePem(this.#caCertificate('root'));
  }

  trustAnchors(): Uint8Array[] {
    return [this.#caCertificate('root')];
  }

  caCertificates(): Uint8Array[] {
    return this.#store.cas().map((ca) => this.#caCertificate(ca.id));
  }

  crls(): { caId: string; der: Uint8Array }[] {
    return this.#store.cas().map((ca) => ({ caId: ca.id, der: this.crl(ca.id)! }));
  }

  /** The current CRL of a CA, re-issued when past its nextUpdate; undefined for an unknown CA. */
  crl(caId: string): Uint8Array | undefined {
    if (!this.#store.ca(caId)) return undefined;
    const row = this.#store.crl(caId);
    if (row && new Date(row.next_update) > this.#clock()) return new Uint8Array(row.der);
    return this.#issueCrl(caId);
  }

  /** A TLS server certificate for these host names/IPs from the root, reused while it is valid. */
  async serverTlsCredentials(hostnames: readonly string[]): Promise<{ keyPem: string; certPem: string; chainPem: string }> {
    const names = [...new Set(parseInput(hostnamesSchema, [...hostnames], 'host names'))].sort();
    const row = await this.#exclusive(async () => {
      const current = this.#store.currentOfKind('tls');
      if (current && current.hostnames === names.join(',') && !this.#dueForRenewal(current)) return current;
      this.#requireRoot();
      const fresh = await this.#issue({
        kind: 'tls',
        caId: 'root',
        profile: { kind: 'tls', dnsNames: names.filter((h) => isIP(h) === 0), ipAddresses: names.filter((h) => isIP(h) !== 0) },
        subject: tlsSubject(names[0]!),
        durationMs: VALIDITY_MS.tls,
        meta: { hostnames: names.join(',') },
      });
      if (current) this.#store.setStatus(current.id, 'superseded');
      return fresh;
    });
    return {
      keyPem: toPem(exportPkcs8(this.#masterKeyed(row)), 'PRIVATE KEY'),
      certPem: certificatePem(row.der),
      chainPem: this.rootCertificatePem(),
    };
  }

  certificates(filter: { userId?: string; siteId?: string } = {}): CertificateInfo[] {
    return this.#store.endEntities(filter).map((row) => this.#info(row));
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

  async #ensureRoot(): Promise<void> {
    if (this.#store.ca('root')) return;
    const row = await this.#issue({ kind: 'ca', caId: null, profile: { kind: 'root-ca' }, subject: rootSubject(), durationMs: VALIDITY_MS.root });
    this.#store.insertCa({ id: 'root', kind: 'root', name: 'Tongban Platform Root CA', certificate_id: row.id }, this.#now());
  }

  async #ensureSiteCa(site: SiteRef): Promise<void> {
    if (this.#store.ca(site.id)) return;
    const row = await this.#issue({ kind: 'ca', caId: 'root', profile: { kind: 'site-ca' }, subject: siteCaSubject(site.name), durationMs: VALIDITY_MS.siteCa, meta: { siteId: site.id } });
    this.#store.insertCa({ id: site.id, kind: 'site', name: site.name, certificate_id: row.id }, this.#now());
  }

  #requireRoot(): void {
    if (!this.isInitialised()) throw new PkiError('not_initialised', 'the platform PKI is not initialised (run tongban pki init)');
  }

  #siteName(siteId: string): string {
    const ca = this.#store.ca(siteId);
    if (!ca || ca.kind !== 'site') throw new PkiError('unknown_site', `no CA for site ${siteId} (run tongban pki init)`);
    return ca.name;
  }

  /** The current TSA or seal certificate, issued (or renewed) when missing or about to expire. */
  async #platformRow(kind: 'tsa' | 'seal'): Promise<CertificateRow> {
    const current = this.#store.currentOfKind(kind);
    if (current && !this.#dueForRenewal(current)) return current;
    this.#requireRoot();
    const row = await this.#issue({
      kind,
      caId: 'root',
      profile: { kind },
      subject: kind === 'tsa' ? tsaSubject() : sealSubject(),
      durationMs: VALIDITY_MS[kind],
    });
    if (current) this.#store.setStatus(current.id, 'superseded');
    return row;
  }

  #dueForRenewal(row: CertificateRow): boolean {
    return new Date(row.not_after).getTime() - RENEW_BEFORE_MS <= this.#clock().getTime();
  }

  async #tsaAuthority(): Promise<TimeStampAuthority> {
    const row = await this.#exclusive(() => this.#platformRow('tsa'));
    if (this.#tsa?.certificateId !== row.id) {
      const signer = this.#signer(row, this.#masterKeyed(row));
      const authority = new TimeStampAuthority({
        signer,
        clock: this.#clock,
        nextSerial: () => this.#store.nextCounter('tsa_serial').toString(16),
      });
      this.#tsa = { certificateId: row.id, authority };
    }
    return this.#tsa.authority;
  }

  async #issue(spec: IssueSpec): Promise<CertificateRow> {
    const issuer = spec.caId ? this.#caCredential(spec.caId) : undefined;
    const isCa = spec.kind === 'ca';
    const cred = await issueWithNewKey({
      profile: spec.profile,
      subject: spec.subject,
      ...(issuer ? { issuer, crlUrl: crlUrlFor(this.#baseUrl, spec.caId!) } : {}),
      keyBits: isCa ? this.#caBits : 2048,
      ...validity(this.#clock(), spec.durationMs),
    });
    const id = randomUUID();
    const record = spec.pin
      ? await encryptWithPin(cred.privateKey, spec.pin, id, this.#pinCost)
      : encryptWithMasterKey(cred.privateKey, this.#masterKey, id);
    const facts = certificateFacts(cred.certificate);
    const row: CertificateRow = {
      id,
      serial: facts.serial,
      kind: spec.kind,
      ca_id: spec.caId ?? 'root',
      subject: facts.subject,
      user_id: spec.meta?.userId ?? null,
      event_id: spec.meta?.eventId ?? null,
      role: spec.meta?.role ?? null,
      site_id: spec.meta?.siteId ?? null,
      hostnames: spec.meta?.hostnames ?? null,
      not_before: facts.notBefore.toISOString(),
      not_after: facts.notAfter.toISOString(),
      status: 'valid',
      der: Buffer.from(cred.certificate),
      created_at: this.#now(),
    };
    this.#store.insertCertificate(row, { protection: spec.pin ? 'pin' : 'master-key', record: serializeKeyRecord(record) });
    return row;
  }

  /** Marks every other live certificate of the user/event superseded and lists it in its CA's CRL. */
  #supersedeOthers(column: 'user_id' | 'event_id', value: string, keepId: string): void {
    const others = this.#store.liveFor(column, value).filter((r) => r.id !== keepId);
    for (const row of others) this.#revokeRow(row, 'superseded', 'superseded');
    for (const caId of new Set(others.map((r) => r.ca_id))) this.#issueCrl(caId);
  }

  #revokeRow(row: CertificateRow, reason: RevocationReason, status: 'revoked' | 'superseded'): void {
    this.#store.transaction(() => {
      this.#store.setStatus(row.id, status);
      this.#store.insertRevocation(row.id, row.ca_id, row.serial, reason, this.#now());
    });
  }

  #issueCrl(caId: string): Uint8Array {
    const ca = this.#caCredential(caId);
    const now = this.#clock();
    const nextUpdate = new Date(now.getTime() + CRL_VALIDITY_MS);
    const number = (this.#store.crl(caId)?.number ?? 0) + 1;
    const der = createCrl({
      issuerCertificate: ca.certificate,
      issuerKey: ca.privateKey,
      thisUpdate: now,
      nextUpdate,
      crlNumber: BigInt(number),
      entries: this.#store.revocations(caId).map((r) => ({ serial: r.serial, date: new Date(r.revoked_at), reason: r.reason as RevocationReason })),
    });
    this.#store.saveCrl({ ca_id: caId, number, this_update: now.toISOString(), next_update: nextUpdate.toISOString(), der });
    return der;
  }

  #caRow(caId: string): CertificateRow {
    const ca = this.#store.ca(caId);
    const row = ca ? this.#store.certificate(ca.certificate_id) : undefined;
    if (!row) throw new PkiError(caId === 'root' ? 'not_initialised' : 'unknown_site', caId === 'root' ? 'the platform PKI is not initialised (run tongban pki init)' : `no CA ${caId}`);
    return row;
  }

  #caCertificate(caId: string): Uint8Array {
    return new Uint8Array(this.#caRow(caId).der);
  }

  #caCredential(caId: string): Credential {
    const row = this.#caRow(caId);
    return { certificate: new Uint8Array(row.der), privateKey: this.#masterKeyed(row) };
  }

  #keyRecord(certificateId: string): string {
    const record = this.#store.keyRecord(certificateId);
    if (!record) throw new PkiError('bad_keystore', 'the private key of this certificate is missing');
    return record;
  }

  #masterKeyed(row: CertificateRow): KeyObject {
    return decryptWithMasterKey(parseKeyRecord(this.#keyRecord(row.id)), this.#masterKey, row.id);
  }

  /** Checks that the current certificate exists, is not revoked and has not expired. */
  #usableRow(row: CertificateRow | undefined, who: string): CertificateRow {
    if (!row) throw new PkiError('no_certificate', `${who} has no certificate`);
    if (row.status === 'revoked') throw new PkiError('revoked', `the certificate of ${who} is revoked`);
    if (new Date(row.not_after) < this.#clock()) throw new PkiError('expired', `the certificate of ${who} expired on ${row.not_after}`);
    return row;
  }

  #chainOf(row: CertificateRow): Uint8Array[] {
    const issuer = this.#caCertificate(row.ca_id);
    return row.ca_id === 'root' ? [issuer] : [issuer, this.#caCertificate('root')];
  }

  #signer(row: CertificateRow, key: KeyObject): KeySigner {
    return new KeySigner(key, new Uint8Array(row.der), this.#chainOf(row));
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
