// zod schemas for everything callers hand to PlatformPki; failures become PkiError 'invalid_input'.
import { isIP } from 'node:net';
import { z } from 'zod';
import { REVOCATION_REASONS, type RevocationReason } from '../../../certs/crl.js';
import { PkiError } from '../../../certs/errors.js';
import { USER_ROLES } from './types.js';

const noControl = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

export const identifier = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 letters, digits, . _ @ -');

export const siteSchema = z.object({
  id: identifier.refine((id) => id !== 'root', "'root' is reserved"),
  name: noControl(64),
});

export const userCertificateSchema = z.object({
  userId: identifier,
  name: noControl(64),
  role: z.enum(USER_ROLES as [string, ...string[]], { message: `role must be one of ${USER_ROLES.join(', ')}` }),
  siteId: identifier,
  pin: z.string(),
  validDays: z.number().int().min(1).max(3650).optional(),
});

export const eventCertificateSchema = z.object({
  eventId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits, . _ : -'),
  name: noControl(64),
  caseId: identifier,
  siteId: identifier,
  validMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
});

export const revocationReasonSchema = z.enum(
  Object.keys(REVOCATION_REASONS) as [RevocationReason, ...RevocationReason[]],
);

const hostname = z
  .string()
  .max(253)
  .refine(
    (h) =>
      isIP(h) !== 0 ||
      /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
        h,
      ),
    'is not a host name or IP address',
  );

export const hostnamesSchema = z.array(hostname).min(1).max(32);

export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')} ` : '';
  throw new PkiError('invalid_input', `invalid ${what}: ${where}${issue?.message ?? 'bad value'}`);
}
