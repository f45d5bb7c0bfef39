import { createHmac, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PkiError } from './errors.js';
import { exportPkcs8, generateRsaKeyPair, publicKeyOf } from './keys.js';
import {
  decryptWithWrappingKey,
  decryptWithPin,
  encryptWithWrappingKey,
  encryptWithPin,
  isValidPin,
  parseKeyRecord,
  serializeKeyRecord,
} from './keystore.js';

const cheap = { N: 2 ** 10, r: 8, p: 1 };
let key: KeyObject;
beforeAll(async () => {
  key = (await generateRsaKeyPair(2048)).privateKey;
});

const canSign = (k: KeyObject) =>
  verify('sha256', Buffer.from('x'), publicKeyOf(key), sign('sha256', Buffer.from('x'), k));

describe('keystore', () => {
  it('round-trips a key under a PIN (scrypt N=2^15) through its JSON record', async () => {
    const record = await encryptWithPin(key, '123456', 'serial-1');
    expect(record.kdf).toMatchObject({ name: 'scrypt', N: 32768, r: 8, p: 1 });
    expect(Buffer.from(record.kdf.name === 'scrypt' ? record.kdf.salt : '', 'base64')).toHaveLength(16);
    const json = serializeKeyRecord(record);
    expect(json).not.toContain(Buffer.from(exportPkcs8(key)).toString('base64').slice(40, 80));
    const back = await decryptWithPin(parseKeyRecord(json), '123456', 'serial-1');
    expect(canSign(back)).toBe(true);
  });

  it('wrong PIN, wrong context or a tampered record give a typed wrong_pin error', async () => {
    const record = await encryptWithPin(key, '12345678', 'serial-2');
    await expect(decryptWithPin(record, '87654321', 'serial-2')).rejects.toMatchObject({ code: 'wrong_pin' });
    await expect(decryptWithPin(record, '12345678', 'other')).rejects.toBeInstanceOf(PkiError);
    const ct = Buffer.from(record.ct, 'base64');
    ct[10] = ct[10]! ^ 1;
    await expect(
      decryptWithPin({ ...record, ct: ct.toString('base64') }, '12345678', 'serial-2'),
    ).rejects.toMatchObject({ code: 'wrong_pin' });
  });

  it('the PIN rule is 6-12 digits; encrypting with a bad PIN is refused', async () => {
    expect(['123456', '123456789012'].every(isValidPin)).toBe(true);
    expect(['12345', '1234567890123', '12345a', ' 123456', ''].some(isValidPin)).toBe(false);
    await expect(encryptWithPin(key, '12345', 'c')).rejects.toMatchObject({ code: 'invalid_pin' });
  });

  it('wrapping-key records open only with the same 32-byte key; old master-key records are refused', () => {
    const wrapping = randomBytes(32);
    const record = encryptWithWrappingKey(key, wrapping, 'tsa');
    expect(canSign(decryptWithWrappingKey(record, wrapping, 'tsa'))).toBe(true);
    expect(() => decryptWithWrappingKey(record, randomBytes(32), 'tsa')).toThrow(PkiError);
    expect(() => decryptWithWrappingKey(record, randomBytes(16), 'tsa')).toThrow(/32 bytes/);
    const legacy = { ...record, kdf: { name: 'master-key' as const } };
    expect(() => decryptWithWrappingKey(legacy, wrapping, 'tsa')).toThrow(/re-initialise/);
  });

  it('a peppered PIN record needs the PIN and the pepper: the PIN alone does not open it', async () => {
    const secret = randomBytes(32);
    const pepper = async (derived: Uint8Array, context: string) =>
      new Uint8Array(createHmac('sha256', secret).update(context).update(derived).digest());
    const record = await encryptWithPin(key, '123456', 'cert-1', cheap, pepper);
    expect(record.kdf).toMatchObject({ name: 'scrypt', peppered: true });
    expect(canSign(await decryptWithPin(record, '123456', 'cert-1', pepper))).toBe(true);
    await expect(decryptWithPin(record, '123456', 'cert-1')).rejects.toMatchObject({ code: 'bad_keystore' });
    const unpeppered = { ...record, kdf: { ...record.kdf, peppered: undefined } };
    await expect(decryptWithPin(unpeppered, '123456', 'cert-1')).rejects.toMatchObject({ code: 'wrong_pin' });
    const otherSecret = async (derived: Uint8Array) =>
      new Uint8Array(createHmac('sha256', randomBytes(32)).update(derived).digest());
    await expect(decryptWithPin(record, '123456', 'cert-1', otherSecret)).rejects.toMatchObject({ code: 'wrong_pin' });
  });

  it('malformed records are rejected by the schema', () => {
    for (const bad of [
      'nope',
      '{}',
      '{"v":2}',
      JSON.stringify({ v: 1, kdf: { name: 'scrypt', N: 2, r: 1, p: 1, salt: '' }, iv: '', tag: '', ct: '' }),
    ]) {
      expect(() => parseKeyRecord(bad)).toThrow(expect.objectContaining({ code: 'bad_keystore' }));
    }
  });
});
