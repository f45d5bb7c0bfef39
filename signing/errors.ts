// Typed failures of the signing library. Callers map `code` to their own responses (CLI line,
// HTTP status); the message names the problem in one line and never carries secrets.

export type PdfErrorCode = 'not_pdf' | 'empty' | 'encrypted' | 'corrupt' | 'too_large' | 'unsupported';

export class PdfError extends Error {
  constructor(
    readonly code: PdfErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PdfError';
  }
}

export type SigningErrorCode = 'invalid_options' | 'placeholder_too_small' | 'field_exists' | 'bad_image' | 'bad_font';

export class SigningError extends Error {
  constructor(
    readonly code: SigningErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SigningError';
  }
}
