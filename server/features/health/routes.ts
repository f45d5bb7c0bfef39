import type { RouteModule } from '../../http/RouteModule.js';
import type { Database } from '../../kernel/store/Database.js';
import { getHealth } from '../../../protocol/http/health.js';

export interface HealthRoutesDeps {
  readonly db: Database;
}

export function healthRoutes(deps: HealthRoutesDeps): RouteModule {
  return {
    name: 'health',
    register(api) {
      api.route({
        ...getHealth,
        summary: 'Liveness and database check',
        tag: 'system',
        access: 'public',
        handler: async () => ({ status: 'ok' as const, schemaVersion: await deps.db.schemaVersion() }),
      });
    },
  };
}
