// What PlatformPki hands out: plain data about certificates, never keys.
import type { RevocationReason } from '../../../certs/crl.js';

export type UserRole = 'clerk' | 'official' | 'auditor' | 'admin';
export const USER_ROLES: readonly UserRole[] = ['clerk', 'official', 'auditor', 'admin'];

export type CertificateKind = 'user' | 'event' | 'tsa' | 'seal' | 'tls';
export type CertificateStatus = 'valid' | 'revoked' | 'expired' | 'superseded';

export interface CertificateInfo {
  readonly id: string;
  /** Lower-case hex, as CRLs and `openssl x509 -serial` list it. */
  readonly serial: string;
  readonly subject: string;
  readonly caId: string;
  readonly userId: string | null;
  readonly eventId: string | null;
  readonly kind: CertificateKind;
  readonly role: string | null;
  readonly siteId: string | null;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly status: CertificateStatus;
  readonly certificatePem: string;
}

export interface SiteRef {
  readonly id: string;
  readonly name: string;
}

export type { RevocationReason };
