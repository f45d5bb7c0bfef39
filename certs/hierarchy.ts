// A certificate with a freshly generated key: the unit the CA hierarchy is built from.
import type { KeyObject } from 'node:crypto';
import { issueCertificate, type IssuerCredentials } from './issue-certificate.js';
import { generateRsaKeyPair } from './keys.js';
import type { SubjectName } from './names.js';
import type { CertificateProfile } from './profiles.js';

export interface Credential {
  readonly certificate: Uint8Array;
  readonly privateKey: KeyObject;
}

export interface NewCredentialOptions {
  readonly profile: CertificateProfile;
  readonly subject: SubjectName;
  /** Absent: self-signed (the root). */
  readonly issuer?: IssuerCredentials;
  readonly keyBits: 2048 | 3072 | 4096;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly crlUrl?: string;
}

/** Tolerance for clocks slightly behind ours: certificates start this much before "now". */
const BACKDATE_MS = 60_000;

export function validity(now: Date, durationMs: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + durationMs) };
}

export const DAY_MS = 86_400_000;

export async function issueWithNewKey(o: NewCredentialOptions): Promise<Credential> {
  const { privateKey, publicKey } = await generateRsaKeyPair(o.keyBits);
  const certificate = await issueCertificate({
    profile: o.profile,
    subject: o.subject,
    publicKey,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    ...(o.issuer ? { issuer: o.issuer } : { selfSignKey: privateKey }),
    ...(o.crlUrl ? { crlUrl: o.crlUrl } : {}),
  });
  return { certificate, privateKey };
}
