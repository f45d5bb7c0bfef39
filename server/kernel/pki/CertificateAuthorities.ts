// The CA side of the platform PKI: the root and site CAs, issuing a certificate with a fresh key
// (sealed under the master key, or under a PIN for user keys), revocation entries and each CA's CRL.
import { randomUUID, type KeyObject } from 'node:crypto';
import { certificateFacts } from '../../../certs/certificate-facts.js';
import { createCrl, type RevocationReason } from '../../../certs/crl.js';
import { PkiError } from '../../../certs/errors.js';
import { DAY_MS, issueWithNewKey, validity, type Credential } from '../../../certs/hierarchy.js';
import { crlUrlFor } from '../../../certs/issue-certificate.js';
import { KeySigner } from '../../../certs/KeySigner.js';
import {
  decryptWithMasterKey,
  encryptWithMasterKey,
  encryptWithPin,
  parseKeyRecord,
  serializeKeyRecord,
  type ScryptCost,
} from '../../../certs/keystore.js';
import type { SubjectName } from '../../../certs/names.js';
import type { CertificateProfile } from '../../../certs/profiles.js';
import { ROOT_CA_NAME, rootSubject, siteCaSubject } from '../../../certs/subjects.js';
import type { PkiStore, CertificateRow, StoredKind } from './PkiStore.js';
import type { SiteRef } from './types.js';

const CRL_VALIDITY_MS = 7 * DAY_MS;
const ROOT_VALIDITY_MS = 20 * 365 * DAY_MS;
const SITE_CA_VALIDITY_MS = 10 * 365 * DAY_MS;

export interface IssueSpec {
  readonly kind: StoredKind;
  /** The issuing CA; null for the self-signed root. */
  readonly caId: string | null;
  readonly profile: CertificateProfile;
  readonly subject: SubjectName;
  readonly durationMs: number;
  /** Seals the new key under this PIN instead of the master key. */
  readonly pin?: string;
  readonly meta?: { userId?: string; eventId?: string; role?: string; siteId?: string; hostnames?: string };
}

export interface CertificateAuthoritiesOptions {
  readonly store: PkiStore;
  readonly clock: () => Date;
  readonly baseUrl: string;
  readonly masterKey: Uint8Array;
  readonly caKeyBits: 2048 | 3072;
  readonly pinKdfCost: ScryptCost | undefined;
}

export class CertificateAuthorities {
  readonly #o: CertificateAuthoritiesOptions;

  constructor(o: CertificateAuthoritiesOptions) {
    this.#o = o;
  }

  get #store(): PkiStore {
    return this.#o.store;
  }

  #now(): string {
    return this.#o.clock().toISOString();
  }

  isInitialised(): boolean {
    return this.#store.ca('root') !== undefined;
  }

  requireRoot(): void {
    if (!this.isInitialised())
      throw new PkiError('not_initialised', 'the platform PKI is not initialised (run tongban pki init)');
  }

  async ensureRoot(): Promise<void> {
    if (this.isInitialised()) return;
    const row = await this.issue({
      kind: 'ca',
      caId: null,
      profile: { kind: 'root-ca' },
      subject: rootSubject(),
      durationMs: ROOT_VALIDITY_MS,
    });
    this.#store.insertCa({ id: 'root', kind: 'root', name: ROOT_CA_NAME, certificate_id: row.id }, this.#now());
  }

  async ensureSiteCa(site: SiteRef): Promise<void> {
    if (this.#store.ca(site.id)) return;
    const row = await this.issue({
      kind: 'ca',
      caId: 'root',
      profile: { kind: 'site-ca' },
      subject: siteCaSubject(site.name),
      durationMs: SITE_CA_VALIDITY_MS,
      meta: { siteId: site.id },
    });
    this.#store.insertCa({ id: site.id, kind: 'site', name: site.name, certificate_id: row.id }, this.#now());
  }

  siteName(siteId: string): string {
    const ca = this.#store.ca(siteId);
    if (!ca || ca.kind !== 'site')
      throw new PkiError('unknown_site', `no CA for site ${siteId} (run tongban pki init)`);
    return ca.name;
  }

  /** A new key and certificate, stored with the key sealed; CA keys are RSA 3072 (or caKeyBits), others 2048. */
  async issue(spec: IssueSpec): Promise<CertificateRow> {
    const issuer = spec.caId ? this.credential(spec.caId) : undefined;
    const cred = await issueWithNewKey({
      profile: spec.profile,
      subject: spec.subject,
      ...(issuer ? { issuer, crlUrl: crlUrlFor(this.#o.baseUrl, spec.caId!) } : {}),
      keyBits: spec.kind === 'ca' ? this.#o.caKeyBits : 2048,
      ...validity(this.#o.clock(), spec.durationMs),
    });
    const id = randomUUID();
    const record = spec.pin
      ? await encryptWithPin(cred.privateKey, spec.pin, id, this.#o.pinKdfCost)
      : encryptWithMasterKey(cred.privateKey, this.#o.masterKey, id);
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
    this.#store.insertCertificate(row, {
      protection: spec.pin ? 'pin' : 'master-key',
      record: serializeKeyRecord(record),
    });
    return row;
  }

  /** Wraps a user's key under a new PIN in place of the old wrapping (the same key and certificate). */
  async rewrapUnderPin(row: CertificateRow, key: KeyObject, pin: string): Promise<void> {
    const record = await encryptWithPin(key, pin, row.id, this.#o.pinKdfCost);
    this.#store.replacePinKeyRecord(row.id, serializeKeyRecord(record));
  }

  /** Records the revocation (or supersession) of a certificate; call issueCrl afterwards. */
  revoke(row: CertificateRow, reason: RevocationReason, status: 'revoked' | 'superseded'): void {
    this.#store.transaction(() => {
      this.#store.setStatus(row.id, status);
      this.#store.insertRevocation(row.id, row.ca_id, row.serial, reason, this.#now());
    });
  }

  /** Signs and stores a new CRL of `caId` with the next CRL number. */
  issueCrl(caId: string): Uint8Array {
    const ca = this.credential(caId);
    const now = this.#o.clock();
    const nextUpdate = new Date(now.getTime() + CRL_VALIDITY_MS);
    return this.#store.immediate(() => {
      const number = (this.#store.crl(caId)?.number ?? 0) + 1;
      const der = createCrl({
        issuerCertificate: ca.certificate,
        issuerKey: ca.privateKey,
        thisUpdate: now,
        nextUpdate,
        crlNumber: BigInt(number),
        entries: this.#store
          .revocations(caId)
          .map((r) => ({ serial: r.serial, date: new Date(r.revoked_at), reason: r.reason as RevocationReason })),
      });
      this.#store.saveCrl({
        ca_id: caId,
        number,
        this_update: now.toISOString(),
        next_update: nextUpdate.toISOString(),
        der,
      });
      return der;
    });
  }

  /** The stored CRL while before its nextUpdate, a new one after; undefined for an unknown CA. */
  currentCrl(caId: string): Uint8Array | undefined {
    if (!this.#store.ca(caId)) return undefined;
    const row = this.#store.crl(caId);
    if (row && new Date(row.next_update) > this.#o.clock()) return new Uint8Array(row.der);
    return this.issueCrl(caId);
  }

  #caRow(caId: string): CertificateRow {
    const ca = this.#store.ca(caId);
    const row = ca ? this.#store.certificate(ca.certificate_id) : undefined;
    if (row) return row;
    this.requireRoot();
    throw new PkiError('unknown_site', `no CA ${caId}`);
  }

  certificate(caId: string): Uint8Array {
    return new Uint8Array(this.#caRow(caId).der);
  }

  allCertificates(): Uint8Array[] {
    return this.#store.cas().map((ca) => this.certificate(ca.id));
  }

  credential(caId: string): Credential {
    const row = this.#caRow(caId);
    return { certificate: new Uint8Array(row.der), privateKey: this.masterKeyed(row) };
  }

  /** The private key of a certificate whose key is sealed under the master key. */
  masterKeyed(row: CertificateRow): KeyObject {
    return decryptWithMasterKey(parseKeyRecord(this.keyRecord(row.id)), this.#o.masterKey, row.id);
  }

  keyRecord(certificateId: string): string {
    const record = this.#store.keyRecord(certificateId);
    if (!record) throw new PkiError('bad_keystore', 'the private key of this certificate is missing');
    return record;
  }

  /** A signer for an end-entity row. */
  signer(row: CertificateRow, key: KeyObject): KeySigner {
    return new KeySigner(key, new Uint8Array(row.der), this.chainOf(row));
  }

  /** The issuing chain of an end-entity row: its CA and, above a site CA, the root. */
  chainOf(row: CertificateRow): Uint8Array[] {
    const issuer = this.certificate(row.ca_id);
    return row.ca_id === 'root' ? [issuer] : [issuer, this.certificate('root')];
  }
}
