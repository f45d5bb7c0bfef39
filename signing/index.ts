// Public entry point of the signing/ library (pure: bytes and options in, bytes and typed results out).
export { PdfError, SigningError, type PdfErrorCode, type SigningErrorCode } from './errors.js';
export { signPdf } from './sign/sign-pdf.js';
export { addDocumentTimestamp, type DocumentTimestampOptions } from './sign/document-timestamp.js';
export { addDss, type DssOptions } from './sign/dss.js';
export {
  PADES_LEVELS,
  type PadesLevel,
  type SignPdfOptions,
  type SignatureAppearance,
  type AppearanceText,
  type ValidationMaterial,
} from './sign/options.js';
export { verifyPdf, type VerifyPdfOptions } from './verify/verify-pdf.js';
export { reportJson, type SignatureReport, type VerificationReport, type SignatureLevel } from './verify/report.js';
export { createDetachedCms, type CmsOptions } from './cms/create-cms.js';
export {
  verifyDetachedCms,
  type DetachedCmsVerification,
  type VerifyDetachedCmsOptions,
} from './cms/verify-detached-cms.js';
export {
  lastTimestamp,
  renewalDigest,
  renewalReason,
  renewLtv,
  type RenewalPolicy,
  type RenewalReason,
  type RenewLtvOptions,
  type TimestampFacts,
  type WeakeningAlgorithm,
} from './sign/ltv-renewal.js';
