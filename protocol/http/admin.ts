// Platform administration: accounts, sites, partnerships and users' signing certificates.
import { z } from 'zod';
import { accountPassword, role, route, slug, slugParams } from '../common.js';
import { partnership, site } from './catalog.js';

export const user = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role,
  siteId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
  /** The password was set by an admin: the owner must change it at the next login. */
  mustChangePassword: z.boolean(),
});
export type User = z.infer<typeof user>;

export const newUserBody = z
  .object({
    username: slug,
    displayName: z.string().trim().min(1).max(64),
    role,
    siteId: slug.nullable(),
    /** A first password; the owner must change it at the first login. */
    password: accountPassword,
  })
  .strict();
export type NewUserBody = z.infer<typeof newUserBody>;

export const siteBody = site
  .omit({ id: true })
  .extend({ name: z.string().min(1).max(100), nameEn: z.string().min(1).max(200), region: z.string().min(1).max(100) })
  .strict();
export const partnershipBody = partnership
  .omit({ id: true })
  .extend({
    name: z.string().min(1).max(200),
    signedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    description: z.string().max(2000),
    sites: z.array(slug).min(2).max(50),
    matters: z.array(slug).max(500),
  })
  .strict();

export const userList = z.object({ users: z.array(user) });

/** RFC 5280 revocation reasons an admin may give (certs/crl.ts REVOCATION_REASONS). */
export const revocationReasons = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;

export const certificate = z.object({
  serial: z.string(),
  userId: z.string().nullable(),
  subject: z.string(),
  issuer: z.string(),
  kind: z.enum(['user', 'event', 'tsa', 'seal', 'tls']),
  role: z.string().nullable(),
  siteId: z.string().nullable(),
  notBefore: z.string(),
  notAfter: z.string(),
  status: z.enum(['valid', 'revoked', 'expired', 'superseded']),
  revoked: z.boolean(),
});
export type Certificate = z.infer<typeof certificate>;

export const crlSummary = z.object({
  ca: z.string(),
  thisUpdate: z.string(),
  nextUpdate: z.string().nullable(),
  revokedCount: z.number().int(),
});
export type CrlSummary = z.infer<typeof crlSummary>;
export const certificateList = z.object({ certificates: z.array(certificate), crls: z.array(crlSummary) });
export type CertificateList = z.infer<typeof certificateList>;

/** A one-time code for the owner to choose their signing PIN; the admin never sees or sets the PIN. */
export const enrolmentCode = z.object({ userId: z.string(), code: z.string(), expiresAt: z.string() });
export type EnrolmentCode = z.infer<typeof enrolmentCode>;
export const resetPasswordBody = z.object({ password: accountPassword }).strict();
export const serialParams = z
  .object({ serial: z.string().regex(/^[0-9a-f]{2,64}$/, 'expected a lower-case hex serial') })
  .strict();
export const revokeBody = z.object({ reason: z.enum(revocationReasons).default('unspecified') }).strict();

export const listUsers = route({ method: 'get', path: '/api/admin/users', response: userList });
export const createUser = route({
  method: 'post',
  path: '/api/admin/users',
  body: newUserBody,
  response: user,
  status: 201,
});
export const disableUser = route({
  method: 'post',
  path: '/api/admin/users/:id/disable',
  params: slugParams,
  response: user,
});
export const enableUser = route({
  method: 'post',
  path: '/api/admin/users/:id/enable',
  params: slugParams,
  response: user,
});
export const saveSite = route({
  method: 'put',
  path: '/api/admin/sites/:id',
  params: slugParams,
  body: siteBody,
  response: site,
});
export const savePartnership = route({
  method: 'put',
  path: '/api/admin/partnerships/:id',
  params: slugParams,
  body: partnershipBody,
  response: partnership,
});
export const listCertificates = route({ method: 'get', path: '/api/admin/certificates', response: certificateList });
export const issueEnrolmentCode = route({
  method: 'post',
  path: '/api/admin/users/:id/enrolment-code',
  params: slugParams,
  /** Nothing to send: in particular no PIN (an unknown field is refused). */
  body: z.object({}).strict().optional(),
  response: enrolmentCode,
  status: 201,
});
export const resetPassword = route({
  method: 'post',
  path: '/api/admin/users/:id/password',
  params: slugParams,
  body: resetPasswordBody,
  response: user,
});
export const revokeCertificate = route({
  method: 'post',
  path: '/api/admin/certificates/:serial/revoke',
  params: serialParams,
  body: revokeBody,
  response: certificate,
});
