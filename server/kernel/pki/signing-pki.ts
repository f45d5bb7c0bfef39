// What the features need from the platform PKI to sign and verify (documents, identity, evidence,
// recording seals), as one narrow interface: PlatformPki implements it; features never reach
// further into the PKI.
import type { Signer, TimeStamper } from '../../../certs/types.js';

export interface SigningPki {
  /** Issues the applicant's short-lived event certificate (subject bound to the event and a per-case pseudonym). */
  issueEventCertificate(input: {
    eventId: string;
    name: string;
    caseId: string;
    siteId: string;
    validMinutes?: number;
  }): Promise<{ serial: string }>;
  eventSigner(eventId: string): Promise<Signer>;
  /** Throws (wrong PIN, locked key…) when the PIN does not open the key. */
  unlockUserSigner(userId: string, pin: string): Promise<Signer>;
  sealSigner(): Promise<Signer>;
  /** `validBeyond`: a TSA whose certificate outlives that time (long-term validation renewal). */
  timeStamper(options?: { validBeyond?: Date }): TimeStamper;
  /** DER roots to validate against. */
  trustAnchors(): Promise<Uint8Array[]>;
  /** DER of every CA certificate (root and site CAs, TSA and seal issuers). */
  caCertificates(): Promise<Uint8Array[]>;
  /** The current CRL of every CA. */
  crls(): Promise<{ caId: string; der: Uint8Array }[]>;
}
