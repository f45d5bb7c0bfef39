// One error type for every PKI failure a caller may need to tell apart (wrong PIN, locked key,
// revoked certificate…). The server maps `code` to an HTTP status; the CLI prints `message`.

export type PkiErrorCode =
  | 'wrong_pin'
  | 'key_locked'
  | 'no_certificate'
  | 'revoked'
  | 'expired'
  | 'invalid_pin'
  | 'not_initialised'
  | 'unknown_site'
  | 'invalid_input'
  | 'bad_keystore'
  | 'tsa_error';

export class PkiError extends Error {
  constructor(
    readonly code: PkiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PkiError';
  }
}
