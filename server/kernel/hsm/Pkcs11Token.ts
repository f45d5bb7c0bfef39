// The platform's PKCS#11 token: CA, TSA and seal keys are generated inside it (sensitive,
// non-extractable) and sign through C_Sign; generic secrets in it key the HMACs that wrap every
// other private key (user keys together with the PIN) and pseudonymise ID numbers. Works with any
// PKCS#11 module (a production HSM) and with SoftHSM2 (embedded-softhsm.ts) in tests and the demo.
// Every call is made from the main thread, one at a time: modules differ in how safely they take
// calls from several threads (SoftHSM2 has open reports of races between sessions), and a token
// signature takes milliseconds, as node:crypto's synchronous signing did before.
import { createPublicKey, type KeyObject } from 'node:crypto';
// The default import: the constants are not visible as ESM named exports of this CommonJS module.
import pkcs11js from 'pkcs11js';
import type { DigestAlgorithm, SigningKey } from '../../../certs/types.js';

type Handle = Buffer;

export interface Pkcs11TokenOptions {
  /** Path of the PKCS#11 module (.so). */
  readonly module: string;
  readonly tokenLabel: string;
  readonly pin: string;
  /** Environment set only while the module initialises (SoftHSM2 reads SOFTHSM2_CONF there). */
  readonly initEnv?: Record<string, string>;
}

const RSA_MECHANISM: Record<DigestAlgorithm, number> = {
  'SHA-256': pkcs11js.CKM_SHA256_RSA_PKCS,
  'SHA-384': pkcs11js.CKM_SHA384_RSA_PKCS,
  'SHA-512': pkcs11js.CKM_SHA512_RSA_PKCS,
};

/** Token labels are blank- (or NUL-) padded to 32 bytes. */
export function tokenLabelOf(info: { label: string }): string {
  return info.label.replace(/[\s\0]+$/, '');
}

export class Pkcs11Token {
  readonly #p11: pkcs11js.PKCS11;
  readonly #slot: Handle;
  /** Kept open for the token's lifetime: the user login lasts as long as one session does. */
  readonly #session: Handle;
  readonly #keys = new Map<string, Handle>();
  #closed = false;

  private constructor(p11: pkcs11js.PKCS11, slot: Handle, session: Handle) {
    this.#p11 = p11;
    this.#slot = slot;
    this.#session = session;
  }

  /** Loads the module, finds the token by label and logs in as its user. */
  static open(o: Pkcs11TokenOptions): Pkcs11Token {
    const p11 = new pkcs11js.PKCS11();
    p11.load(o.module);
    withEnv(o.initEnv, () => p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK }));
    try {
      const slot = findTokenSlot(p11, o.tokenLabel);
      if (!slot) throw new Error(`PKCS#11: no token labelled "${o.tokenLabel}" in ${o.module}`);
      const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      try {
        p11.C_Login(session, pkcs11js.CKU_USER, o.pin);
      } catch (err) {
        if (!(err instanceof pkcs11js.Pkcs11Error) || err.code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) throw err;
      }
      return new Pkcs11Token(p11, slot, session);
    } catch (err) {
      p11.C_Finalize();
      throw err;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#p11.C_CloseAllSessions(this.#slot);
    this.#p11.C_Finalize();
    this.#p11.close();
  }

  hasKey(label: string): boolean {
    return this.#find(label, pkcs11js.CKO_PRIVATE_KEY) !== undefined;
  }

  /** A new RSA key pair on the token; the private half never leaves it. Returns the public key. */
  async generateRsaKeyPair(label: string, bits: number): Promise<KeyObject> {
    const id = Buffer.from(label, 'utf8');
    const keys = this.#p11.C_GenerateKeyPair(
      this.#session,
      { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
      [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ID, value: id },
        { type: pkcs11js.CKA_VERIFY, value: true },
        { type: pkcs11js.CKA_MODULUS_BITS, value: bits },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      ],
      [...keptInside(label), { type: pkcs11js.CKA_ID, value: id }],
    );
    this.#keys.set(`${pkcs11js.CKO_PRIVATE_KEY}:${label}`, keys.privateKey);
    const [n, e] = this.#p11.C_GetAttributeValue(this.#session, keys.publicKey, [
      { type: pkcs11js.CKA_MODULUS },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT },
    ]);
    return createPublicKey({
      key: { kty: 'RSA', n: b64url(n!.value as Buffer), e: b64url(e!.value as Buffer) },
      format: 'jwk',
    });
  }

  /** The RSA private key `label` as a SigningKey (RSASSA-PKCS1-v1_5 computed by the token). */
  signingKey(label: string): SigningKey {
    if (!this.hasKey(label)) throw new Error(`PKCS#11: the token holds no private key "${label}"`);
    return {
      sign: async (data, digest) => this.#signSync(label, RSA_MECHANISM[digest], data),
      signSync: (data, digest) => this.#signSync(label, RSA_MECHANISM[digest], data),
    };
  }

  /** HMAC-SHA256 with the generic secret `label` (created on first use: sensitive, non-extractable). */
  hmac(label: string, data: Uint8Array): Uint8Array {
    this.ensureSecret(label);
    return this.#signSync(label, pkcs11js.CKM_SHA256_HMAC, data, pkcs11js.CKO_SECRET_KEY);
  }

  /**
   * Creates the generic secret `label` unless the token has it. Owners call this when they open,
   * so that a secret exists before two processes could race to make it on first use.
   */
  ensureSecret(label: string): void {
    if (this.#find(label, pkcs11js.CKO_SECRET_KEY)) return;
    const handle = this.#p11.C_GenerateKey(this.#session, { mechanism: pkcs11js.CKM_GENERIC_SECRET_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
      ...keptInside(label),
      { type: pkcs11js.CKA_VERIFY, value: true },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    ]);
    this.#keys.set(`${pkcs11js.CKO_SECRET_KEY}:${label}`, handle);
  }

  /** Whether a key's attributes say it cannot leave the token (checked by the tests). */
  keyAttributes(label: string, kind: 'private' | 'secret'): { sensitive: boolean; extractable: boolean } {
    const handle = this.#find(label, kind === 'private' ? pkcs11js.CKO_PRIVATE_KEY : pkcs11js.CKO_SECRET_KEY);
    if (!handle) throw new Error(`PKCS#11: no key "${label}"`);
    const [s, x] = this.#p11.C_GetAttributeValue(this.#session, handle, [
      { type: pkcs11js.CKA_SENSITIVE },
      { type: pkcs11js.CKA_EXTRACTABLE },
    ]);
    return { sensitive: (s!.value as Buffer)[0] === 1, extractable: (x!.value as Buffer)[0] === 1 };
  }

  #find(label: string, cls: number): Handle | undefined {
    const cacheKey = `${cls}:${label}`;
    const cached = this.#keys.get(cacheKey);
    if (cached) return cached;
    this.#p11.C_FindObjectsInit(this.#session, [
      { type: pkcs11js.CKA_CLASS, value: cls },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
    try {
      const handle = this.#p11.C_FindObjects(this.#session);
      if (handle) this.#keys.set(cacheKey, handle);
      return handle ?? undefined;
    } finally {
      this.#p11.C_FindObjectsFinal(this.#session);
    }
  }

  #key(label: string, cls: number): Handle {
    const handle = this.#find(label, cls);
    if (!handle) throw new Error(`PKCS#11: the token holds no key "${label}"`);
    return handle;
  }

  // Each operation has its own session, so that no C_SignInit state can outlive a failed call.
  #openSession(): Handle {
    return this.#p11.C_OpenSession(this.#slot, pkcs11js.CKF_SERIAL_SESSION);
  }

  #signSync(label: string, mechanism: number, data: Uint8Array, cls = pkcs11js.CKO_PRIVATE_KEY): Uint8Array {
    const key = this.#key(label, cls);
    const session = this.#openSession();
    try {
      this.#p11.C_SignInit(session, { mechanism }, key);
      return new Uint8Array(this.#p11.C_Sign(session, Buffer.from(data), Buffer.alloc(1024)));
    } finally {
      this.#p11.C_CloseSession(session);
    }
  }

  /** Keeps handles out of console.log/JSON dumps. */
  toJSON(): { token: string } {
    return { token: 'pkcs11' };
  }
}

/** A persistent signing key that no one can read out of the token, not even its logged-in user. */
function keptInside(label: string): pkcs11js.Template {
  return [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_SIGN, value: true },
    { type: pkcs11js.CKA_LABEL, value: label },
  ];
}

function findTokenSlot(p11: pkcs11js.PKCS11, label: string): Handle | undefined {
  return p11.C_GetSlotList(true).find((slot) => tokenLabelOf(p11.C_GetTokenInfo(slot)) === label);
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Runs `fn` with `env` added to process.env (restored afterwards). */
export function withEnv<T>(env: Record<string, string> | undefined, fn: () => T): T {
  if (!env) return fn();
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
