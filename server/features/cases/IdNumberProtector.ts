// Resident ID numbers never reach the database or the logs in clear: the server keeps a keyed
// HMAC-SHA256 (to find the same person again) and a masked form for display. The HMAC key is a
// non-extractable secret of the platform's PKCS#11 token, so the database alone cannot be searched
// by guessing ID numbers (the whole space is small enough to enumerate).
import type { Pkcs11Token } from '../../kernel/hsm/Pkcs11Token.js';

const ID_HMAC_SECRET = 'tongban:id-hmac';

export class IdNumberProtector {
  readonly #token: Pkcs11Token;

  private constructor(token: Pkcs11Token) {
    this.#token = token;
  }

  /** The protector over the platform token (its secret is created there on first use). */
  static open(token: Pkcs11Token): IdNumberProtector {
    token.ensureSecret(ID_HMAC_SECRET);
    return new IdNumberProtector(token);
  }

  /** Hex HMAC-SHA256 of the normalised ID number (upper-case X, no spaces), computed by the token. */
  hmac(idNumber: string): string {
    return Buffer.from(this.#token.hmac(ID_HMAC_SECRET, Buffer.from(normaliseIdNumber(idNumber), 'utf8'))).toString(
      'hex',
    );
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
