// Scripted 意愿确认 over HTTP: admins keep each matter's script in versions; the handling clerk runs
// a case's script; the applicant, staff of the case's sites and auditors read where it stands.
import { authorize } from '../../kernel/policy.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { caseFor, type CaseService } from '../cases/index.js';
import {
  getMatterScripts,
  getScriptRun,
  markScriptAnswer,
  reaskScriptStep,
  saveMatterScript,
  startScriptRun,
} from '../../../protocol/http/script.js';
import type { ScriptService } from './ScriptService.js';

export interface ScriptRoutesDeps {
  readonly cases: CaseService;
  readonly scripts: ScriptService;
}

export function scriptRoutes(deps: ScriptRoutesDeps): RouteModule {
  return {
    name: 'scripts',
    register(api) {
      api.route({
        ...getMatterScripts,
        summary: "A matter's 意愿确认 script: the current version and every earlier one",
        tag: 'catalog',
        access: 'catalog.read',
        handler: async ({ params }) => {
          const versions = await deps.scripts.versions(params.id);
          return { current: versions[0] ?? null, versions };
        },
      });

      api.route({
        ...saveMatterScript,
        summary: "Save a new version of the matter's script (admin); cases already running keep theirs",
        tag: 'catalog',
        access: 'admin.write',
        handler: ({ principal, params, body }) => deps.scripts.save(principal, params.id, body.steps),
      });

      api.route({
        ...getScriptRun,
        summary: "The case's script run: the version, each step's prompt, answer and recording offset",
        tag: 'identity',
        access: 'script.read',
        personalData: { what: 'consent script run (applicant name in prompts)', object: (p) => `case:${p.id}` },
        handler: async ({ principal, params }) => {
          const c = await deps.cases.get(params.id);
          authorize(principal, 'script.read', { case: c, participant: await deps.scripts.isGuestOfCase(principal, c) });
          return deps.scripts.state(params.id);
        },
      });

      api.route({
        ...startScriptRun,
        summary: 'Start (or show again) the script: the open prompt goes to the applicant and into the recording chain',
        tag: 'identity',
        access: 'script.run',
        handler: async ({ principal, params }) => {
          await caseFor(deps, principal, 'script.run', params.id);
          return deps.scripts.start(principal, params.id);
        },
      });

      api.route({
        ...markScriptAnswer,
        summary: "Mark the applicant's answer to the open prompt: 是 / 否, or 重复 to show it again (chained)",
        tag: 'identity',
        access: 'script.run',
        handler: async ({ principal, params, body }) => {
          await caseFor(deps, principal, 'script.run', params.id);
          return deps.scripts.answer(principal, params.id, body.answer);
        },
      });

      api.route({
        ...reaskScriptStep,
        summary: 'Ask an answered step again to correct its answer (the old answer stays in the chain)',
        tag: 'identity',
        access: 'script.run',
        handler: async ({ principal, params, body }) => {
          await caseFor(deps, principal, 'script.run', params.id);
          return deps.scripts.reask(principal, params.id, body.step);
        },
      });
    },
  };
}
