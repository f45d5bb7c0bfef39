// The platform master key that seals CA, TSA, seal, TLS and event keys at rest: 32 random bytes in
// <dataDir>/secrets/master.key (mode 0600), created on first use. TONGBAN_MASTER_KEY (hex) is read
// by the caller and passed to PlatformPki.open instead.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PkiError } from '../../../certs/errors.js';

export function masterKeyFile(dataDir: string): string {
  return join(dataDir, 'secrets', 'master.key');
}

export function loadOrCreateMasterKey(dataDir: string): Uint8Array {
  const file = masterKeyFile(dataDir);
  try {
    const key = readFileSync(file);
    if (key.length !== 32) throw new PkiError('bad_keystore', `${file} must hold exactly 32 bytes`);
    return new Uint8Array(key);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateMasterKey(dataDir);
    throw err;
  }
  chmodSync(file, 0o600);
  return new Uint8Array(key);
}

/** Parses a hex master key (e.g. TONGBAN_MASTER_KEY). */
export function masterKeyFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new PkiError('invalid_input', 'the master key must be 64 hex digits (32 bytes)');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
