// The documents feature's public surface: flow documents, their ordered signing and verification.
export { embedCjkFont, NOTO_SANS_CJK_TTC } from './cjk-font.js';
export { DocumentSigning, type SignOutcome } from './DocumentSigning.js';
export { DocumentStore, type FlowDocument, type HashMatch } from './document-store.js';
export { requireImage, sniffImage, type ImageType } from './images.js';
export { A4, MARGIN, signatureRow, TextCursor, wrapText, type SignatureBox } from './pdf-layout.js';
export { documentFor, documentRoutes, signingProgress } from './routes.js';
export { verifyWithPlatformTrust } from './verify-document.js';
export { stampVerificationQr, verificationLink, type VerificationLink } from './verification-stamp.js';
