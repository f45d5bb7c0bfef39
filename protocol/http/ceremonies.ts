// Flow B (远程云签约) over HTTP: create with the agreement, read the state, sign in turn, turn
// pages (host), abort (host), archive (host). The same state is pushed over socket.io.
import { z } from 'zod';
import { archivedRecord, idParams, route, signingPin, slug } from '../common.js';
import { signingProgress } from './documents.js';

export const ceremonyStatuses = ['signing', 'signed', 'aborted', 'archived'] as const;

export const ceremonyState = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(ceremonyStatuses),
  host: z.object({ userId: z.string(), name: z.string() }),
  sessionId: z.string(),
  documentId: z.string(),
  pageCount: z.number().int(),
  currentPage: z.number().int(),
  turn: z.object({ position: z.number().int(), userId: z.string().nullable(), name: z.string() }).nullable(),
  signers: z.array(
    z.object({
      position: z.number().int(),
      userId: z.string().nullable(),
      name: z.string(),
      siteId: z.string().nullable(),
      signedAt: z.string().nullable(),
    }),
  ),
  witnesses: z.array(z.object({ userId: z.string(), name: z.string() })),
  abortReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CeremonyState = z.infer<typeof ceremonyState>;
export type CeremonySigner = CeremonyState['signers'][number];

/** `a,b,c` or a JSON array of user ids. */
const userList = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (s === '') return [];
  if (!s.startsWith('[')) return s.split(',').map((x) => x.trim());
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return v;
  }
}, z.array(slug).max(9));

/** The text fields of the create form (multipart; the PDF is the `agreement` part). */
export const ceremonyFields = z
  .object({
    title: z.string().trim().min(1).max(200),
    signers: userList.refine((l) => l.length >= 1, 'at least one signer'),
    witnesses: userList.optional().default([]),
  })
  .strict();

export const signCeremonyBody = z.object({ pin: signingPin }).strict();
export const ceremonySigned = signingProgress.extend({ ceremony: ceremonyState });
export type CeremonySigned = z.infer<typeof ceremonySigned>;

export const pageBody = z.object({ page: z.number().int().min(1).max(100_000) }).strict();
export const abortBody = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

export const createCeremony = route({
  method: 'post',
  path: '/api/ceremonies',
  multipart: { file: 'agreement', fields: ceremonyFields },
  response: ceremonyState,
  status: 201,
});
export const getCeremony = route({
  method: 'get',
  path: '/api/ceremonies/:id',
  params: idParams,
  response: ceremonyState,
});
export const signCeremony = route({
  method: 'post',
  path: '/api/ceremonies/:id/sign',
  params: idParams,
  body: signCeremonyBody,
  response: ceremonySigned,
});
export const turnCeremonyPage = route({
  method: 'post',
  path: '/api/ceremonies/:id/page',
  params: idParams,
  body: pageBody,
  response: ceremonyState,
});
export const abortCeremony = route({
  method: 'post',
  path: '/api/ceremonies/:id/abort',
  params: idParams,
  body: abortBody,
  response: ceremonyState,
});
export const archiveCeremony = route({
  method: 'post',
  path: '/api/ceremonies/:id/archive',
  params: idParams,
  response: archivedRecord,
  status: 201,
});
