// Resident ID numbers never reach the database or the logs in clear: the server keeps a keyed
// HMAC-SHA256 (to find the same person again) and a masked form for display.
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class IdNumberProtector {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Loads `<dataDir>/secrets/id-hmac.key`, creating it (32 random bytes, mode 0600) the first time. */
  static open(dataDir: string): IdNumberProtector {
    const file = join(dataDir, 'secrets', 'id-hmac.key');
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    const key = readFileSync(file);
    if (key.length < 32) throw new Error(`${file} is shorter than 32 bytes`);
    return new IdNumberProtector(key);
  }

  /** Hex HMAC-SHA256 of the normalised ID number (upper-case X, no spaces). */
  hmac(idNumber: string): string {
    return createHmac('sha256', this.#key).update(normaliseIdNumber(idNumber)).digest('hex');
  }
}

export function normaliseIdNumber(idNumber: string): string {
  return idNumber.replace(/\s+/g, '').toUpperCase();
}

/** `522501199001011234` → `5225**********1234`: first four and last four characters kept. */
export function maskIdNumber(idNumber: string): string {
  const id = normaliseIdNumber(idNumber);
  return `${id.slice(0, 4)}${'*'.repeat(Math.max(0, id.length - 8))}${id.slice(-4)}`;
}

/** `13812345678` → `138****5678`. */
export function maskPhone(phone: string): string {
  const p = phone.replace(/[\s-]/g, '');
  return p.length <= 7 ? '*'.repeat(p.length) : `${p.slice(0, 3)}${'*'.repeat(p.length - 7)}${p.slice(-4)}`;
}
