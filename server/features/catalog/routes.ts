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
        handler: () => ({ sites: deps.catalog.sites() }),
      });
      api.route({
        ...listPartnerships,
        summary: 'Partnerships (通办协议) with their sites and matters',
        tag: 'catalog',
        access: 'catalog.read',
        handler: () => ({ partnerships: deps.catalog.partnerships() }),
      });
      api.route({
        ...listMatters,
        summary: 'The matter catalogue',
        tag: 'catalog',
        access: 'catalog.read',
        handler: () => ({ matters: deps.catalog.matters() }),
      });
    },
  };
}
