// The CA side of the platform PKI: the root and site CAs, issuing a certificate with a fresh key
// (CA, TSA and seal keys generated inside the PKCS#11 token; user keys sealed under the PIN and a
// token secret; event and TLS keys sealed under a key the token derives), revocation entries and
// each CA's CRL.
import { randomUUID, type KeyObject } from 'node:crypto';
import { certificateFacts } from '../../../certs/certificate-facts.js';
import { createCrl } from '../../../certs/create-crl.js';
import type { RevocationReason } from '../../../certs/crl.js';
import { PkiError } from '../../../certs/errors.js';
import { DAY_MS, validity } from '../../../certs/hierarchy.js';
import { crlUrlFor, issueCertificate, type IssuerCredentials } from '../../../certs/issue-certificate.js';
import { generateRsaKeyPair } from '../../../certs/keys.js';
import { KeySigner } from '../../../certs/KeySigner.js';
import {
  decryptWithPin,
  decryptWithWrappingKey,
  encryptWithPin,
  encryptWithWrappingKey,
  parseKeyRecord,
  serializeKeyRecord,
  type KeyPepper,
  type ScryptCost,
} from '../../../certs/keystore.js';
import type { SubjectName } from '../../../certs/names.js';
import type { CertificateProfile } from '../../../certs/profiles.js';
import { ROOT_CA_NAME, rootSubject, siteCaSubject } from '../../../certs/subjects.js';
import type { SigningKey } from '../../../certs/types.js';
import type { Pkcs11Token } from '../hsm/Pkcs11Token.js';
import type { PkiStore, CertificateRow, StoredKind } from './PkiStore.js';
import type { SiteRef } from './types.js';

const CRL_VALIDITY_MS = 7 * DAY_MS;
const ROOT_VALIDITY_MS = 20 * 365 * DAY_MS;
const SITE_CA_VALIDITY_MS = 10 * 365 * DAY_MS;
/** Kinds whose private key is generated in, and never leaves, the token. */
const TOKEN_KINDS: ReadonlySet<StoredKind> = new Set(['ca', 'tsa', 'seal']);
/** The token's generic secret behind every key sealed outside it (HMAC-SHA256, non-extractable). */
const WRAP_SECRET = 'tongban:key-wrap';

/** The token object label of a certificate's private key. */
export const tokenKeyLabel = (certificateId: string): string => `tongban:${certificateId}`;

export interface IssueSpec {
  readonly kind: StoredKind;
  /** The issuing CA; null for the self-signed root. */
  readonly caId: string | null;
  readonly profile: CertificateProfile;
  readonly subject: SubjectName;
  readonly durationMs: number;
  /** Seals the new (user) key under this PIN and the token's secret. */
  readonly pin?: string;
  readonly meta?: { userId?: string; eventId?: string; role?: string; siteId?: string; hostnames?: string };
}

export interface CertificateAuthoritiesOptions {
  readonly store: PkiStore;
  readonly clock: () => Date;
  readonly baseUrl: string;
  readonly token: Pkcs11Token;
  readonly caKeyBits: 2048 | 3072;
  readonly pinKdfCost: ScryptCost | undefined;
}

export class CertificateAuthorities {
  readonly #o: CertificateAuthoritiesOptions;

  constructor(o: CertificateAuthoritiesOptions) {
    this.#o = o;
    o.token.ensureSecret(WRAP_SECRET);
  }

  get #store(): PkiStore {
    return this.#o.store;
  }

  #now(): string {
    return this.#o.clock().toISOString();
  }

  async isInitialised(): Promise<boolean> {
    return (await this.#store.ca('root')) !== undefined;
  }

  async requireRoot(): Promise<void> {
    if (!(await this.isInitialised()))
      throw new PkiError('not_initialised', 'the platform PKI is not initialised (run tongban pki init)');
  }

  async ensureRoot(): Promise<void> {
    if (await this.isInitialised()) return;
    const row = await this.issue({
      kind: 'ca',
      caId: null,
      profile: { kind: 'root-ca' },
      subject: rootSubject(),
      durationMs: ROOT_VALIDITY_MS,
    });
    await this.#store.insertCa({ id: 'root', kind: 'root', name: ROOT_CA_NAME, certificate_id: row.id }, this.#now());
  }

  async ensureSiteCa(site: SiteRef): Promise<void> {
    if (await this.#store.ca(site.id)) return;
    const row = await this.issue({
      kind: 'ca',
      caId: 'root',
      profile: { kind: 'site-ca' },
      subject: siteCaSubject(site.name),
      durationMs: SITE_CA_VALIDITY_MS,
      meta: { siteId: site.id },
    });
    await this.#store.insertCa({ id: site.id, kind: 'site', name: site.name, certificate_id: row.id }, this.#now());
  }

  async siteName(siteId: string): Promise<string> {
    const ca = await this.#store.ca(siteId);
    if (!ca || ca.kind !== 'site')
      throw new PkiError('unknown_site', `no CA for site ${siteId} (run tongban pki init)`);
    return ca.name;
  }

  /** A new key and certificate, stored with the key sealed or in the token; CA keys are RSA 3072 (or caKeyBits), others 2048. */
  async issue(spec: IssueSpec): Promise<CertificateRow> {
    const issuer = spec.caId ? await this.credential(spec.caId) : undefined;
    const id = randomUUID();
    const bits = spec.kind === 'ca' ? this.#o.caKeyBits : 2048;
    let publicKey: KeyObject;
    let selfSignKey: SigningKey | undefined;
    let key: { protection: 'pin' | 'wrapping-key' | 'token'; record: string };
    if (TOKEN_KINDS.has(spec.kind)) {
      const label = tokenKeyLabel(id);
      publicKey = await this.#o.token.generateRsaKeyPair(label, bits);
      if (!issuer) selfSignKey = this.#o.token.signingKey(label);
      key = { protection: 'token', record: label };
    } else {
      const pair = await generateRsaKeyPair(bits);
      publicKey = pair.publicKey;
      const record = spec.pin
        ? await encryptWithPin(pair.privateKey, spec.pin, id, this.#o.pinKdfCost, this.pinPepper)
        : encryptWithWrappingKey(pair.privateKey, this.#wrappingKey(id), id);
      key = { protection: spec.pin ? 'pin' : 'wrapping-key', record: serializeKeyRecord(record) };
    }
    const certificate = await issueCertificate({
      profile: spec.profile,
      subject: spec.subject,
      publicKey,
      ...validity(this.#o.clock(), spec.durationMs),
      ...(issuer ? { issuer, crlUrl: crlUrlFor(this.#o.baseUrl, spec.caId!) } : { selfSignKey }),
    });
    const facts = certificateFacts(certificate);
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
      der: Buffer.from(certificate),
      created_at: this.#now(),
    };
    await this.#store.insertCertificate(row, key);
    return row;
  }

  /** Records the revocation (or supersession) of a certificate; call issueCrl afterwards. */
  async revoke(row: CertificateRow, reason: RevocationReason, status: 'revoked' | 'superseded'): Promise<void> {
    await this.#store.transaction(async () => {
      await this.#store.setStatus(row.id, status);
      await this.#store.insertRevocation(row.id, row.ca_id, row.serial, reason, this.#now());
    });
  }

  /** Signs and stores a new CRL of `caId` with the next CRL number. */
  async issueCrl(caId: string): Promise<Uint8Array> {
    const ca = await this.credential(caId);
    const now = this.#o.clock();
    const nextUpdate = new Date(now.getTime() + CRL_VALIDITY_MS);
    return this.#store.immediate(async () => {
      const number = ((await this.#store.crl(caId))?.number ?? 0) + 1;
      const revocations = await this.#store.revocations(caId);
      const der = createCrl({
        issuerCertificate: ca.certificate,
        issuerKey: ca.privateKey,
        thisUpdate: now,
        nextUpdate,
        crlNumber: BigInt(number),
        entries: revocations.map((r) => ({
          serial: r.serial,
          date: new Date(r.revoked_at),
          reason: r.reason as RevocationReason,
        })),
      });
      await this.#store.saveCrl({
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
  async currentCrl(caId: string): Promise<Uint8Array | undefined> {
    if (!(await this.#store.ca(caId))) return undefined;
    const row = await this.#store.crl(caId);
    if (row && new Date(row.next_update) > this.#o.clock()) return new Uint8Array(row.der);
    return this.issueCrl(caId);
  }

  async #caRow(caId: string): Promise<CertificateRow> {
    const ca = await this.#store.ca(caId);
    const row = ca ? await this.#store.certificate(ca.certificate_id) : undefined;
    if (row) return row;
    await this.requireRoot();
    throw new PkiError('unknown_site', `no CA ${caId}`);
  }

  async certificate(caId: string): Promise<Uint8Array> {
    return new Uint8Array((await this.#caRow(caId)).der);
  }

  async allCertificates(): Promise<Uint8Array[]> {
    return Promise.all((await this.#store.cas()).map((ca) => this.certificate(ca.id)));
  }

  async credential(caId: string): Promise<IssuerCredentials> {
    const row = await this.#caRow(caId);
    return { certificate: new Uint8Array(row.der), privateKey: await this.tokenKey(row) };
  }

  /** The token-held key of a CA, TSA or seal certificate. */
  async tokenKey(row: CertificateRow): Promise<SigningKey> {
    const stored = await this.#storedKey(row.id);
    if (stored.protection !== 'token')
      throw new PkiError(
        'bad_keystore',
        'this key is not in the token (a data directory from before keys moved into the token: re-initialise it)',
      );
    if (!this.#o.token.hasKey(stored.record))
      throw new PkiError(
        'bad_keystore',
        'the token does not hold this key (another token than the one it was made in?)',
      );
    return this.#o.token.signingKey(stored.record);
  }

  /** The private key of an event or TLS certificate, unsealed with the key the token derives for it. */
  async wrappedKey(row: CertificateRow): Promise<KeyObject> {
    const stored = await this.#storedKey(row.id);
    return decryptWithWrappingKey(parseKeyRecord(stored.record), this.#wrappingKey(row.id), row.id);
  }

  /** A user's key: opens only with the PIN and the token together (PkiError wrong_pin otherwise). */
  async unlockWithPin(row: CertificateRow, pin: string): Promise<KeyObject> {
    const stored = await this.#storedKey(row.id);
    return decryptWithPin(parseKeyRecord(stored.record), pin, row.id, this.pinPepper);
  }

  /** Replaces a user key's record with the same key sealed under a new PIN (and the token). */
  async resealWithPin(row: CertificateRow, key: KeyObject, pin: string): Promise<void> {
    const record = await encryptWithPin(key, pin, row.id, this.#o.pinKdfCost, this.pinPepper);
    await this.#store.replaceKeyRecord(row.id, 'pin', serializeKeyRecord(record));
  }

  /** AES key of a PIN-sealed record: HMAC_token("pin:" context ":" scrypt(PIN)), so the database and the PIN alone are useless. */
  readonly pinPepper: KeyPepper = async (scryptOutput, context) =>
    this.#o.token.hmac(WRAP_SECRET, Buffer.concat([Buffer.from(`pin:${context}:`, 'utf8'), scryptOutput]));

  #wrappingKey(certificateId: string): Uint8Array {
    return this.#o.token.hmac(WRAP_SECRET, Buffer.from(`record:${certificateId}`, 'utf8'));
  }

  async #storedKey(certificateId: string): Promise<{ protection: string; record: string }> {
    const stored = await this.#store.keyRecord(certificateId);
    if (!stored) throw new PkiError('bad_keystore', 'the private key of this certificate is missing');
    return stored;
  }

  /** A signer for an end-entity row. */
  async signer(row: CertificateRow, key: KeyObject | SigningKey): Promise<KeySigner> {
    return new KeySigner(key, new Uint8Array(row.der), await this.chainOf(row));
  }

  /** The issuing chain of an end-entity row: its CA and, above a site CA, the root. */
  async chainOf(row: CertificateRow): Promise<Uint8Array[]> {
    const issuer = await this.certificate(row.ca_id);
    return row.ca_id === 'root' ? [issuer] : [issuer, await this.certificate('root')];
  }
}
