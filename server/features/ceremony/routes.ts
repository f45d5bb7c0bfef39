// Flow B (远程云签约) over HTTP: create with the agreement, read the state, sign in turn, turn
// pages (host), abort (host). The same state is pushed over socket.io; records archive it.
import { authorize, type Action } from '../../kernel/policy.js';
import type { Principal } from '../../kernel/principal.js';
import { AGREEMENT_MAX_BYTES } from './agreement-pdf.js';
import type { CeremonyService, CeremonyState } from './CeremonyService.js';
import type { SessionService } from '../sessions/index.js';
import { parseFields, readMultipart } from '../../http/multipart.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { signingProgress } from '../documents/index.js';
import {
  abortCeremony,
  createCeremony,
  getCeremony,
  signCeremony,
  turnCeremonyPage,
} from '../../../protocol/http/ceremonies.js';

/** The ceremony's state after checking `action` with the principal's participation. */
export interface CeremonyRoutesDeps {
  readonly ceremonies: CeremonyService;
  readonly sessions: SessionService;
}

export async function ceremonyFor(
  deps: CeremonyRoutesDeps,
  principal: Principal | undefined,
  action: Action,
  id: string,
): Promise<CeremonyState> {
  const state = await deps.ceremonies.state(id);
  const session = await deps.sessions.get(state.sessionId);
  authorize(principal, action, { participant: !!principal && deps.sessions.isParticipant(principal, session) });
  return state;
}

export function ceremonyRoutes(deps: CeremonyRoutesDeps): RouteModule {
  return {
    name: 'ceremonies',
    register(api) {
      api.route({
        ...createCeremony,
        summary: 'Create a ceremony (multipart: agreement PDF, title, signers in order, witnesses)',
        tag: 'ceremonies',
        access: 'ceremony.create',
        handler: async ({ req, res, principal }) => {
          const { fields, file } = await readMultipart(req, res, {
            file: createCeremony.multipart.file,
            maxBytes: AGREEMENT_MAX_BYTES,
          });
          const input = parseFields(createCeremony.multipart.fields, fields);
          return deps.ceremonies.create(principal, { ...input, pdf: file });
        },
      });

      api.route({
        ...getCeremony,
        summary: 'Ceremony state: page, whose turn, signatures',
        tag: 'ceremonies',
        access: 'ceremony.read',
        personalData: { what: 'ceremony state (signer names)', object: (p) => `ceremony:${p.id}` },
        handler: ({ principal, params }) => ceremonyFor(deps, principal, 'ceremony.read', params.id),
      });

      api.route({
        ...signCeremony,
        summary: 'Sign the agreement on your turn (PIN)',
        tag: 'ceremonies',
        access: 'ceremony.sign',
        handler: async ({ principal, params, body }) => {
          await ceremonyFor(deps, principal, 'ceremony.sign', params.id);
          const { state, outcome } = await deps.ceremonies.sign(principal, params.id, body.pin);
          return { ...signingProgress(outcome.document), ceremony: state };
        },
      });

      api.route({
        ...turnCeremonyPage,
        summary: 'Turn everyone to a page (host)',
        tag: 'ceremonies',
        access: 'ceremony.host',
        handler: async ({ principal, params, body }) => {
          await ceremonyFor(deps, principal, 'ceremony.host', params.id);
          return deps.ceremonies.setPage(principal, params.id, body.page);
        },
      });

      api.route({
        ...abortCeremony,
        summary: 'Abort the ceremony with a reason (host)',
        tag: 'ceremonies',
        access: 'ceremony.host',
        handler: async ({ principal, params, body }) => {
          await ceremonyFor(deps, principal, 'ceremony.host', params.id);
          return deps.ceremonies.abort(principal, params.id, body.reason);
        },
      });
    },
  };
}
