// Private keys at rest: PKCS#8 DER sealed with AES-256-GCM, under a key derived from the signer's
// PIN (scrypt) or directly under the platform master key. A versioned JSON record; the `context`
// (e.g. the certificate serial) is bound as associated data so a record cannot be swapped between
// certificates. Lock-out after wrong PINs is the caller's job (it must be persisted).
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
    }),
    z.object({ name: z.literal('master-key') }),
  ]),
  iv: b64,
  tag: b64,
  ct: b64,
});

export type EncryptedKeyRecord = z.infer<typeof recordSchema>;

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

function masterKeyBuffer(masterKey: Uint8Array): Buffer {
  if (masterKey.byteLength !== 32) throw new PkiError('invalid_input', 'the master key must be 32 bytes');
  return Buffer.from(masterKey);
}

export async function encryptWithPin(
  key: KeyObject,
  pin: string,
  context: string,
  cost: ScryptCost = DEFAULT_SCRYPT,
): Promise<EncryptedKeyRecord> {
  assertValidPin(pin);
  const salt = randomBytes(16);
  const derived = await pinKey(pin, salt, cost);
  return {
    v: 1,
    kdf: { name: 'scrypt', ...cost, salt: salt.toString('base64') },
    ...seal(exportPkcs8(key), derived, context),
  };
}

/** Throws PkiError 'wrong_pin' when the PIN (or the context) does not open the record. */
export async function decryptWithPin(record: EncryptedKeyRecord, pin: string, context: string): Promise<KeyObject> {
  if (record.kdf.name !== 'scrypt') throw new PkiError('bad_keystore', 'this key is not protected by a PIN');
  if (!isValidPin(pin)) throw new PkiError('wrong_pin', 'wrong PIN');
  const { N, r, p, salt } = record.kdf;
  const plain = open(record, await pinKey(pin, Buffer.from(salt, 'base64'), { N, r, p }), context);
  if (!plain) throw new PkiError('wrong_pin', 'wrong PIN');
  return importPkcs8(plain);
}

export function encryptWithMasterKey(key: KeyObject, masterKey: Uint8Array, context: string): EncryptedKeyRecord {
  return { v: 1, kdf: { name: 'master-key' }, ...seal(exportPkcs8(key), masterKeyBuffer(masterKey), context) };
}

export function decryptWithMasterKey(record: EncryptedKeyRecord, masterKey: Uint8Array, context: string): KeyObject {
  if (record.kdf.name !== 'master-key')
    throw new PkiError('bad_keystore', 'this key is not protected by the master key');
  const plain = open(record, masterKeyBuffer(masterKey), context);
  if (!plain) throw new PkiError('bad_keystore', 'the master key does not open this key (wrong master key?)');
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
