// Face match and liveness advice over HTTP (issue 15 §3).
import { caseFor, type CaseService } from '../../cases/index.js';
import type { RouteModule } from '../../../http/RouteModule.js';
import { decideFaceCheck, listFaceChecks, runFaceMatch, runLiveness } from '../../../../protocol/http/face-check.js';
import type { FaceCheckService } from './FaceCheckService.js';

export interface FaceCheckRoutesDeps {
  readonly cases: CaseService;
  readonly faceChecks: FaceCheckService;
}

export function faceCheckRoutes(deps: FaceCheckRoutesDeps): RouteModule {
  return {
    name: 'face-checks',
    register(api) {
      api.route({
        ...runFaceMatch,
        summary:
          "Compare the session's latest face snapshot with the portrait on its latest ID snapshot (advice: score, threshold, pass/doubt)",
        tag: 'identity',
        access: 'face.check',
        handler: async ({ principal, params }) => {
          await caseFor(deps, principal, 'face.check', params.id);
          return deps.faceChecks.match(principal, params.id);
        },
      });

      api.route({
        ...runLiveness,
        summary:
          "Liveness advice: prompt the applicant (turn head / blink) and measure it on frames of the applicant's recorded video",
        tag: 'identity',
        access: 'face.check',
        handler: async ({ principal, params, body }) => {
          await caseFor(deps, principal, 'face.check', params.id);
          return deps.faceChecks.liveness(principal, params.id, body.prompt);
        },
      });

      api.route({
        ...listFaceChecks,
        summary: "The case's face match and liveness results with the clerk's decisions",
        tag: 'identity',
        access: 'case.read',
        personalData: { what: 'face checks', object: (p) => `case:${p.id}` },
        handler: async ({ principal, params }) => {
          await caseFor(deps, principal, 'case.read', params.id);
          return { checks: await deps.faceChecks.list(params.id) };
        },
      });

      api.route({
        ...decideFaceCheck,
        summary: "The handling clerk's decision on one face check (recorded apart from the advice)",
        tag: 'identity',
        access: 'face.check',
        handler: async ({ principal, params, body }) => {
          await caseFor(deps, principal, 'face.check', params.id);
          return deps.faceChecks.decide(principal, params.id, params.checkId, body.decision);
        },
      });
    },
  };
}
