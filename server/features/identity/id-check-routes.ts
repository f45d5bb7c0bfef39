// ID card reading over HTTP: read an ID snapshot, and the case's merged ID check (advice).
import type { IdCheckService } from './IdCheckService.js';
import { caseFor, type CaseService } from '../cases/index.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { NotFoundError } from '../../kernel/errors.js';
import { getIdCheck, readIdSnapshot } from '../../../protocol/http/id-check.js';

export interface IdCheckRoutesDeps {
  readonly cases: CaseService;
  readonly idChecks: IdCheckService;
}

export function idCheckRoutes(deps: IdCheckRoutesDeps): RouteModule {
  return {
    name: 'id-check',
    register(api) {
      api.route({
        ...readIdSnapshot,
        summary:
          'Read an ID snapshot with tesseract (chi_sim) and check the number, birth date, sex, name and validity: advice for the handling clerk, chained into the recording',
        tag: 'identity',
        access: 'snapshot.create',
        personalData: { what: 'ID card reading', object: (p) => `snapshot:${p.snapshotId}` },
        handler: async ({ principal, params }) => {
          await caseFor(deps, principal, 'snapshot.create', params.id);
          return deps.idChecks.read(principal, params.id, params.snapshotId);
        },
      });

      api.route({
        ...getIdCheck,
        summary: "The case's ID check: the latest front and back reads merged, with the check results",
        tag: 'identity',
        access: 'case.read',
        personalData: { what: 'ID check', object: (p) => `case:${p.id}` },
        handler: async ({ principal, params }) => {
          await caseFor(deps, principal, 'case.read', params.id);
          const check = await deps.idChecks.check(params.id);
          if (!check) throw new NotFoundError('ID check');
          return check;
        },
      });
    },
  };
}
