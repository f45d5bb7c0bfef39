import { z } from 'zod';
import type { RouteModule } from '../../http/RouteModule.js';

export const healthRoutes: RouteModule = {
  name: 'health',
  register(api, ctx) {
    api.route({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness and database check',
      tag: 'system',
      access: 'public',
      response: z.object({ status: z.literal('ok'), schemaVersion: z.number() }),
      handler: () => ({ status: 'ok' as const, schemaVersion: ctx.db.schemaVersion() }),
    });
  },
};
