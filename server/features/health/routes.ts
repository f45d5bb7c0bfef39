import { z } from 'zod';
import type { RouteModule } from '../../http/RouteModule.js';
import type { Database } from '../../kernel/store/Database.js';

export interface HealthRoutesDeps {
  readonly db: Database;
}

export function healthRoutes(deps: HealthRoutesDeps): RouteModule {
  return {
  name: 'health',
  register(api) {
    api.route({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness and database check',
      tag: 'system',
      access: 'public',
      response: z.object({ status: z.literal('ok'), schemaVersion: z.number() }),
      handler: () => ({ status: 'ok' as const, schemaVersion: deps.db.schemaVersion() }),
    });
  },
};
}
