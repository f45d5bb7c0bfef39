// Input schemas shared by several route modules.
import { z } from 'zod';

export const idParams = z.object({ id: z.string().uuid() }).strict();

/** Stable text identifiers (sites, matters, partnerships, usernames): lower-case, dots and dashes. */
export const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lower-case identifier');
export const slugParams = z.object({ id: slug }).strict();

export const paging = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

export const okResponse = z.object({ ok: z.literal(true) });
