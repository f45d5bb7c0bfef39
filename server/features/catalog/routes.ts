import type { RouteModule } from '../../http/RouteModule.js';
import type { CatalogService } from './CatalogService.js';
import { listMatters, listPartnerships, listSites } from '../../../protocol/http/catalog.js';

export interface CatalogRoutesDeps {
  readonly catalog: CatalogService;
}

export function catalogRoutes(deps: CatalogRoutesDeps): RouteModule {
  return {
    name: 'catalog',
    register(api) {
      api.route({
        ...listSites,
        summary: 'All sites',
        tag: 'catalog',
        access: 'catalog.read',
        handler: async () => ({ sites: await deps.catalog.sites() }),
      });
      api.route({
        ...listPartnerships,
        summary: 'Partnerships (通办协议) with their sites and matters',
        tag: 'catalog',
        access: 'catalog.read',
        handler: async () => ({ partnerships: await deps.catalog.partnerships() }),
      });
      api.route({
        ...listMatters,
        summary: 'The matter catalogue',
        tag: 'catalog',
        access: 'catalog.read',
        handler: async () => ({ matters: await deps.catalog.matters() }),
      });
    },
  };
}
