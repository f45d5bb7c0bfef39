// Private keys at rest: PKCS#8 DER sealed with AES-256-GCM, under a key derived from the signer's
// PIN (scrypt) passed through a `KeyPepper` (a keyed step the caller computes elsewhere, e.g. an
// HMAC inside a PKCS#11 token, so that the record and the PIN alone do not open it), or under a
// 32-byte wrapping key the caller supplies (also derived in the token). A versioned JSON record;
// the `context` (e.g. the certificate id) is bound as associated data so a record cannot be swapped
// between certificates. Lock-out after wrong PINs is the caller's job (it must be persisted).
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';
import { PkiError } from './errors.js';
import { exportPkcs8, importPkcs8 } from './keys.js';

const scryptAsync = promisify(scrypt) as (pin: string, salt: Buffer, len: number, o: object) => Promise<Buffer>;

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** ~100 ms per unlock: slow for guessing a 6-digit PIN offline, fast enough for a signer. */
export const DEFAULT_SCRYPT: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

const b64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/)
  .max(64 * 1024);

const recordSchema = z.object({
  v: z.literal(1),
  kdf: z.discriminatedUnion('name', [
    z.object({
      name: z.literal('scrypt'),
      N: z
        .number()
        .int()
        .min(2 ** 10)
        .max(2 ** 20),
      r: z.number().int().min(1).max(32),
      p: z.number().int().min(1).max(16),
      salt: b64,
      /** The scrypt output went through the caller's pepper (a token HMAC) before it became the AES key. */
      peppered: z.literal(true).optional(),
    }),
    z.object({ name: z.literal('wrapping-key') }),
    /** Before issue 12: sealed under a master key file; such records are refused (re-initialise). */
    z.object({ name: z.literal('master-key') }),
  ]),
  iv: b64,
  tag: b64,
  ct: b64,
});

export type EncryptedKeyRecord = z.infer<typeof recordSchema>;

/**
 * Turns the scrypt output into the AES key with a secret held elsewhere (e.g. HMAC-SHA256 computed
 * by a PKCS#11 token over the context and the scrypt output); must return 32 bytes.
 */
export type KeyPepper = (scryptOutput: Uint8Array, context: string) => Promise<Uint8Array>;

const PIN_RULE = /^\d{6,12}$/;

export function isValidPin(pin: string): boolean {
  return PIN_RULE.test(pin);
}

export function assertValidPin(pin: string): void {
  if (!isValidPin(pin)) throw new PkiError('invalid_pin', 'the PIN must be 6 to 12 digits');
}

function aad(context: string): Buffer {
  return Buffer.from(`tongban-keystore-v1:${context}`, 'utf8');
}

function seal(plain: Uint8Array, key: Buffer, context: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(context));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
}

/** undefined when the key or the context is wrong (GCM authentication fails). */
function open(record: EncryptedKeyRecord, key: Buffer, context: string): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(record.iv, 'base64'));
    decipher.setAAD(aad(context));
    decipher.setAuthTag(Buffer.from(record.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(record.ct, 'base64')), decipher.final()]);
  } catch {
    return undefined;
  }
}

async function pinKey(pin: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return scryptAsync(pin, salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 });
}

function keyBuffer(key: Uint8Array, what: string): Buffer {
  if (key.byteLength !== 32) throw new PkiError('invalid_input', `the ${what} must be 32 bytes`);
  return Buffer.from(key);
}

async function aesKeyFromPin(pin: string, salt: Buffer, cost: ScryptCost, context: string, pepper?: KeyPepper) {
  const derived = await pinKey(pin, salt, cost);
  return pepper ? keyBuffer(await pepper(derived, context), 'peppered key') : derived;
}

/** Seals `key` under the PIN; with a `pepper`, under the PIN and the pepper's secret together. */
export async function encryptWithPin(
  key: KeyObject,
  pin: string,
  context: string,
  cost: ScryptCost = DEFAULT_SCRYPT,
  pepper?: KeyPepper,
): Promise<EncryptedKeyRecord> {
  assertValidPin(pin);
  const salt = randomBytes(16);
  const aesKey = await aesKeyFromPin(pin, salt, cost, context, pepper);
  return {
    v: 1,
    kdf: { name: 'scrypt', ...cost, salt: salt.toString('base64'), ...(pepper ? { peppered: true as const } : {}) },
    ...seal(exportPkcs8(key), aesKey, context),
  };
}

/**
 * Throws PkiError 'wrong_pin' when the PIN (or the context, or the pepper's secret) does not open
 * the record; 'bad_keystore' when the record needs a pepper and none is given.
 */
export async function decryptWithPin(
  record: EncryptedKeyRecord,
  pin: string,
  context: string,
  pepper?: KeyPepper,
): Promise<KeyObject> {
  if (record.kdf.name !== 'scrypt') throw new PkiError('bad_keystore', 'this key is not protected by a PIN');
  if (record.kdf.peppered && !pepper)
    throw new PkiError('bad_keystore', 'this key is sealed under the PIN and a token secret');
  if (!isValidPin(pin)) throw new PkiError('wrong_pin', 'wrong PIN');
  const { N, r, p, salt } = record.kdf;
  const aesKey = await aesKeyFromPin(
    pin,
    Buffer.from(salt, 'base64'),
    { N, r, p },
    context,
    record.kdf.peppered ? pepper : undefined,
  );
  const plain = open(record, aesKey, context);
  if (!plain) throw new PkiError('wrong_pin', 'wrong PIN');
  return importPkcs8(plain);
}

/** Seals `key` under a 32-byte wrapping key the caller derives (e.g. in a token, per context). */
export function encryptWithWrappingKey(key: KeyObject, wrappingKey: Uint8Array, context: string): EncryptedKeyRecord {
  return {
    v: 1,
    kdf: { name: 'wrapping-key' },
    ...seal(exportPkcs8(key), keyBuffer(wrappingKey, 'wrapping key'), context),
  };
}

export function decryptWithWrappingKey(
  record: EncryptedKeyRecord,
  wrappingKey: Uint8Array,
  context: string,
): KeyObject {
  if (record.kdf.name === 'master-key')
    throw new PkiError(
      'bad_keystore',
      'this key was sealed under a master key file (before keys moved into the token): re-initialise the data directory',
    );
  if (record.kdf.name !== 'wrapping-key') throw new PkiError('bad_keystore', 'this key is not under a wrapping key');
  const plain = open(record, keyBuffer(wrappingKey, 'wrapping key'), context);
  if (!plain) throw new PkiError('bad_keystore', 'the wrapping key does not open this key (another token?)');
  return importPkcs8(plain);
}

export function serializeKeyRecord(record: EncryptedKeyRecord): string {
  return JSON.stringify(record);
}

export function parseKeyRecord(json: string): EncryptedKeyRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new PkiError('bad_keystore', 'the key record is not JSON');
  }
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) throw new PkiError('bad_keystore', 'the key record is malformed');
  return parsed.data;
}
