// Pieces every protocol area shares: id and slug parameters, paging, `{ id, name }` references,
// the `{ ok: true }` answer, staff roles and case statuses. No Node imports: the client bundles it.
import { z } from 'zod';

export const idParams = z.object({ id: z.string().uuid() }).strict();

/** Stable text identifiers (sites, matters, partnerships, usernames): lower-case, dots and dashes. */
export const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lower-case identifier');
export const slugParams = z.object({ id: slug }).strict();

/** Query fields of every paged list (spread into the route's query object). */
export const paging = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

/** A named thing another object points at (a site, a matter). */
export const ref = z.object({ id: z.string(), name: z.string() });
export type Ref = z.infer<typeof ref>;

export const okResponse = z.object({ ok: z.literal(true) });
export type OkResponse = z.infer<typeof okResponse>;

/** An account password someone chooses (an admin's first one, or the owner's own). */
export const accountPassword = z.string().min(10, 'a password has at least 10 characters').max(256);

/** A signing PIN its owner chooses: 6–12 digits (the server may require more, limits.pinMinLength). */
export const newSigningPin = z.string().regex(/^\d{6,12}$/, 'a PIN is 6 to 12 digits');

/** A 4–12 digit signing PIN (documents and ceremonies). */
export const signingPin = z.string().regex(/^\d{4,12}$/, 'expected a 4–12 digit PIN');

/** Staff roles; applicants are guests without a role. Same values as the server's principal. */
export const roles = ['clerk', 'official', 'auditor', 'admin'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

/** The case life cycle's statuses (the transitions between them live on the server). */
export const caseStatuses = [
  'created',
  'queued',
  'in_session',
  'identity_confirmed',
  'signed',
  'archived',
  'rejected',
  'cancelled',
] as const;
export const caseStatus = z.enum(caseStatuses);
export type CaseStatus = z.infer<typeof caseStatus>;

/** A route as data: the server's ApiRouter takes method, path and schemas from it. */
export interface RouteDescriptor {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly path: string;
  readonly params?: z.ZodTypeAny;
  readonly query?: z.ZodTypeAny;
  readonly body?: z.ZodTypeAny;
  /** JSON answer; absent for routes that send bytes (`produces`). */
  readonly response?: z.ZodTypeAny;
  /** Content type of a non-JSON answer. */
  readonly produces?: string;
  /** A non-JSON request body (e.g. application/timestamp-query). */
  readonly consumes?: string;
  /** A multipart/form-data body: the file part's name and the schema of its text fields. */
  readonly multipart?: { readonly file: string; readonly fields: z.ZodTypeAny };
  readonly status?: number;
  /** `none`: reachable without login (public pages); the server's route must then declare access `public`. */
  readonly auth?: 'none';
}

/** Checks a descriptor literal against RouteDescriptor while keeping its exact schema types. */
export const route = <const R extends RouteDescriptor>(r: R): R => r;

/** A finished case or ceremony archived as a record. */
export const archivedRecord = z.object({ recordId: z.string().uuid() });
export type ArchivedRecord = z.infer<typeof archivedRecord>;
