// What the flows need from the platform PKI, the signing library and the recorder, as narrow
// interfaces: the flows are written against these, and `flow-context.ts` wires the real parts.
import type { Signer, TimeStamper } from '../../../certs/types.js';
import type { RecordingCheckpoint } from './checkpoint.js';

export interface FlowsPki {
  /** Issues the applicant's short-lived event certificate (subject bound to the case and the ID hash). */
  issueEventCertificate(input: {
    eventId: string;
    name: string;
    idHash: string;
    siteId: string;
    validMinutes?: number;
  }): Promise<{ serial: string }>;
  eventSigner(eventId: string): Promise<Signer>;
  /** Throws an AppError (wrong PIN 403/409, locked key 423…) when the PIN does not open the key. */
  unlockUserSigner(userId: string, pin: string): Promise<Signer>;
  sealSigner(): Promise<Signer>;
  timeStamper(): TimeStamper;
  /** DER roots to validate against. */
  trustAnchors(): Uint8Array[];
  /** DER of every CA certificate (root and site CAs, TSA and seal issuers). */
  caCertificates(): Uint8Array[];
  /** The current CRL of every CA. */
  crls(): { caId: string; der: Uint8Array }[];
}

/** The recorder's view the flows need; absent when the media part is not running. */
export interface FlowsRecorder {
  /** The live head of the session's recording chain (null head before the first segment). */
  checkpoint(sessionId: string): RecordingCheckpoint;
  /** Finishes and seals the session's recording (idempotent). */
  finalize(sessionId: string): Promise<void>;
  /** Files of the sealed recording, relative paths (manifest.json, manifest.json.p7s, segments…). */
  files(sessionId: string): Promise<Map<string, Uint8Array> | undefined>;
  /** Integrity of the sealed recording, for the record detail. */
  verify(sessionId: string): Promise<{ valid: boolean; status: string; problems: string[] }>;
}
