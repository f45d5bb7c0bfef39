import { z } from 'zod';
import type { RouteModule } from '../../http/RouteModule.js';
import type { CatalogService } from './CatalogService.js';

export interface CatalogRoutesDeps {
  readonly catalog: CatalogService;
}

const siteSchema = z.object({ id: z.string(), name: z.string(), nameEn: z.string(), region: z.string() });
const matterSchema = z.object({
  id: z.string(),
  name: z.string(),
  nameEn: z.string(),
  category: z.enum(['个人', '法人']),
  department: z.string(),
  requiresIdentityConfirmation: z.boolean(),
  retentionDays: z.number().int(),
});
const partnershipSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['跨省通办', '跨市通办']),
  signedOn: z.string(),
  description: z.string(),
  sites: z.array(z.string()),
  matters: z.array(z.string()),
});

export const catalogSchemas = { siteSchema, matterSchema, partnershipSchema };

export function catalogRoutes(deps: CatalogRoutesDeps): RouteModule {
  return {
  name: 'catalog',
  register(api) {
    api.route({
      method: 'get',
      path: '/api/sites',
      summary: 'All sites',
      tag: 'catalog',
      access: 'catalog.read',
      response: z.object({ sites: z.array(siteSchema) }),
      handler: () => ({ sites: deps.catalog.sites() }),
    });
    api.route({
      method: 'get',
      path: '/api/partnerships',
      summary: 'Partnerships (通办协议) with their sites and matters',
      tag: 'catalog',
      access: 'catalog.read',
      response: z.object({ partnerships: z.array(partnershipSchema) }),
      handler: () => ({ partnerships: deps.catalog.partnerships() }),
    });
    api.route({
      method: 'get',
      path: '/api/matters',
      summary: 'The matter catalogue',
      tag: 'catalog',
      access: 'catalog.read',
      response: z.object({ matters: z.array(matterSchema) }),
      handler: () => ({ matters: deps.catalog.matters() }),
    });
  },
};
}
