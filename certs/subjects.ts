// The names in our certificates, in one place so that PlatformPki and the test PKI agree.
import type { SubjectName } from './names.js';

export const ROOT_CA_NAME = 'Tongban Platform Root CA';
const PLATFORM = 'Tongban Desk';

export const rootSubject = (): SubjectName => ({ country: 'CN', organization: PLATFORM, commonName: ROOT_CA_NAME });

export const siteCaSubject = (siteName: string): SubjectName => ({
  country: 'CN',
  organization: siteName,
  commonName: `${siteName} CA`,
});

/** Clerk/official signing certificate: the user id goes in UID (any characters allowed). */
export const signerSubject = (o: { name: string; siteName: string; role: string; userId: string }): SubjectName => ({
  country: 'CN',
  organization: o.siteName,
  organizationalUnit: o.role,
  commonName: o.name,
  uid: o.userId,
});

/**
 * Applicant event certificate: a per-case pseudonymous id as serialNumber (never derived from the
 * ID number, so certificates of one person cannot be linked), the event id as UID.
 */
export const eventSubject = (o: { name: string; siteName: string; caseRef: string; eventId: string }): SubjectName => ({
  country: 'CN',
  organization: o.siteName,
  organizationalUnit: 'applicant',
  commonName: o.name,
  serialNumber: o.caseRef,
  uid: o.eventId,
});

export const tsaSubject = (): SubjectName => ({
  country: 'CN',
  organization: PLATFORM,
  commonName: 'Tongban Platform TSA',
});

export const sealSubject = (): SubjectName => ({
  country: 'CN',
  organization: PLATFORM,
  commonName: 'Tongban Platform Seal',
});

export const tlsSubject = (hostname: string): SubjectName => ({
  country: 'CN',
  organization: PLATFORM,
  commonName: hostname,
});
