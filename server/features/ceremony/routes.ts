// Flow B (远程云签约) over HTTP: create with the agreement, read the state, sign in turn, turn
// pages (host), abort (host). The same state is pushed over socket.io; records archive it.
import { z } from 'zod';
import { authorize, type Action } from '../../kernel/policy.js';
import type { Principal } from '../../kernel/principal.js';
import { AGREEMENT_MAX_BYTES } from './agreement-pdf.js';
import type { CeremonyService, CeremonyState } from './CeremonyService.js';
import type { SessionService } from '../sessions/index.js';
import { signingProgress } from '../documents/index.js';
import { parseFields, readMultipart } from '../../http/multipart.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams, slug } from '../../http/schemas.js';

/** The ceremony's state after checking `action` with the principal's participation. */
export interface CeremonyRoutesDeps {
  readonly ceremonies: CeremonyService;
  readonly sessions: SessionService;
}

export function ceremonyFor(deps: CeremonyRoutesDeps, principal: Principal | undefined, action: Action, id: string): CeremonyState {
  const state = deps.ceremonies.state(id);
  const session = deps.sessions.get(state.sessionId);
  authorize(principal, action, { participant: !!principal && deps.sessions.isParticipant(principal, session) });
  return state;
}

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

const createFields = z
  .object({
    title: z.string().trim().min(1).max(200),
    signers: userList.refine((l) => l.length >= 1, 'at least one signer'),
    witnesses: userList.optional().default([]),
  })
  .strict();

const stateSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['signing', 'signed', 'aborted', 'archived']),
  sessionId: z.string(),
  documentId: z.string(),
  pageCount: z.number().int(),
  currentPage: z.number().int(),
  turn: z.object({ position: z.number().int(), userId: z.string().nullable(), name: z.string() }).nullable(),
  abortReason: z.string().nullable(),
}).passthrough();

export function ceremonyRoutes(deps: CeremonyRoutesDeps): RouteModule {
  return {
  name: 'ceremonies',
  register(api) {
    api.route({
      method: 'post',
      path: '/api/ceremonies',
      summary: 'Create a ceremony (multipart: agreement PDF, title, signers in order, witnesses)',
      tag: 'ceremonies',
      access: 'ceremony.create',
      status: 201,
      response: stateSchema,
      handler: async ({ req, res, principal }) => {
        const { fields, file } = await readMultipart(req, res, { file: 'agreement', maxBytes: AGREEMENT_MAX_BYTES });
        const input = parseFields(createFields, fields);
        return deps.ceremonies.create(principal, { ...input, pdf: file });
      },
    });

    api.route({
      method: 'get',
      path: '/api/ceremonies/:id',
      summary: 'Ceremony state: page, whose turn, signatures',
      tag: 'ceremonies',
      access: 'ceremony.read',
      params: idParams,
      response: stateSchema,
      handler: ({ principal, params }) => ceremonyFor(deps, principal, 'ceremony.read', params.id),
    });

    api.route({
      method: 'post',
      path: '/api/ceremonies/:id/sign',
      summary: "Sign the agreement on your turn (PIN)",
      tag: 'ceremonies',
      access: 'ceremony.sign',
      params: idParams,
      body: z.object({ pin: z.string().regex(/^\d{4,12}$/, 'expected a 4–12 digit PIN') }).strict(),
      handler: async ({ principal, params, body }) => {
        ceremonyFor(deps, principal, 'ceremony.sign', params.id);
        const { state, outcome } = await deps.ceremonies.sign(principal, params.id, body.pin);
        return { ...signingProgress(outcome.document), ceremony: state };
      },
    });

    api.route({
      method: 'post',
      path: '/api/ceremonies/:id/page',
      summary: 'Turn everyone to a page (host)',
      tag: 'ceremonies',
      access: 'ceremony.host',
      params: idParams,
      body: z.object({ page: z.number().int().min(1).max(100_000) }).strict(),
      response: stateSchema,
      handler: ({ principal, params, body }) => {
        ceremonyFor(deps, principal, 'ceremony.host', params.id);
        return deps.ceremonies.setPage(principal, params.id, body.page);
      },
    });

    api.route({
      method: 'post',
      path: '/api/ceremonies/:id/abort',
      summary: 'Abort the ceremony with a reason (host)',
      tag: 'ceremonies',
      access: 'ceremony.host',
      params: idParams,
      body: z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
      response: stateSchema,
      handler: ({ principal, params, body }) => {
        ceremonyFor(deps, principal, 'ceremony.host', params.id);
        return deps.ceremonies.abort(principal, params.id, body.reason);
      },
    });

  },
};
}
