// Public entry point of the certs/ library: everything signing/ and the server use.
export type { DigestAlgorithm, Signer, SigningKey, TimeStamper } from './types.js';
export { PkiError, type PkiErrorCode } from './errors.js';
export { certificatePem, fromPem, toPem, toHex, hash } from './encoding.js';
export { OID } from './oids.js';
export { generateRsaKeyPair, exportPkcs8, importPkcs8, type RsaKeyPair } from './keys.js';
export type { SubjectName } from './names.js';
export type { CertificateProfile } from './profiles.js';
export {
  issueCertificate,
  randomSerial,
  crlUrlFor,
  type CertificateRequest,
  type IssuerCredentials,
} from './issue-certificate.js';
export { issueWithNewKey, validity, DAY_MS, type Credential, type NewCredentialOptions } from './hierarchy.js';
export * from './subjects.js';
export { certificateFacts, type CertificateFacts, type KeyUsageBit } from './certificate-facts.js';
export { KeySigner, MemoryKey, asSigningKey } from './KeySigner.js';
export { parseCrl, REVOCATION_REASONS, type RevocationReason, type RevokedEntry, type ParsedCrl } from './crl.js';
export { createCrl, type CrlOptions } from './create-crl.js';
export {
  validateCertificateChain,
  type ChainValidationInput,
  type ChainValidationResult,
  type RevocationInfo,
} from './chain-validation.js';
export { TimeStampAuthority, type TimeStampAuthorityOptions } from './tsa/TimeStampAuthority.js';
export { InProcessTimeStamper } from './tsa/InProcessTimeStamper.js';
export { HttpTimeStamper, type HttpTimeStamperOptions } from './tsa/HttpTimeStamper.js';
export { tokenFromResponse } from './tsa/timestamp-response.js';
export {
  buildTimeStampRequest,
  parseTimeStampRequest,
  randomNonce,
  MAX_REQUEST_BYTES,
  type TimeStampRequest,
} from './tsa/timestamp-request.js';
export {
  verifyTimeStampToken,
  type TimeStampVerification,
  type VerifyTimeStampOptions,
} from './tsa/verify-timestamp.js';
export {
  encryptWithPin,
  decryptWithPin,
  encryptWithWrappingKey,
  decryptWithWrappingKey,
  serializeKeyRecord,
  parseKeyRecord,
  isValidPin,
  assertValidPin,
  DEFAULT_SCRYPT,
  type EncryptedKeyRecord,
  type KeyPepper,
  type ScryptCost,
} from './keystore.js';
