// Shared by `tongban sign` and `tongban verify`: the input size limit and reading a PDF, with
// every failure as one CLI line.
import { readFileSync, statSync } from 'node:fs';
import { PdfError, SigningError } from '../../../signing/errors.js';
import { PkiError } from '../../../certs/errors.js';
import { CliError } from '../command.js';

const DEFAULT_MAX_PDF_BYTES = 50 * 1024 * 1024;

/** TONGBAN_MAX_PDF_BYTES, default 50 MiB. */
export function maxPdfBytes(): number {
  const raw = process.env.TONGBAN_MAX_PDF_BYTES;
  if (raw === undefined || raw === '') return DEFAULT_MAX_PDF_BYTES;
  // A plain pattern, not zod: `tongban verify` would load zod for this one variable.
  if (!/^[1-9]\d{0,15}$/.test(raw))
    throw new CliError('TONGBAN_MAX_PDF_BYTES must be a positive whole number of bytes');
  return Number(raw);
}

/** Reads a file that must exist and stay within `limit` bytes. */
export function readInputFile(path: string, limit: number, what = 'input PDF'): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new CliError(`${what} ${path} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read ${what} ${path}`);
  }
  if (size > limit) throw new CliError(`${what} ${path} is too large (${size} bytes; the limit is ${limit})`);
  return new Uint8Array(readFileSync(path));
}

/** Library errors the user can act on become one-line CLI errors; anything else propagates. */
export function asCliError(err: unknown, file: string): unknown {
  if (err instanceof PdfError) return new CliError(`${file}: ${err.message}`);
  if (err instanceof SigningError || err instanceof PkiError) return new CliError(err.message);
  return err;
}
