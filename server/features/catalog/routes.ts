import { z } from 'zod';
import type { RouteModule } from '../../http/RouteModule.js';

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

export const catalogRoutes: RouteModule = {
  name: 'catalog',
  register(api, ctx) {
    api.route({
      method: 'get',
      path: '/api/sites',
      summary: 'All sites',
      tag: 'catalog',
      access: 'catalog.read',
      response: z.object({ sites: z.array(siteSchema) }),
      handler: () => ({ sites: ctx.catalog.sites() }),
    });
    api.route({
      method: 'get',
      path: '/api/partnerships',
      summary: 'Partnerships (通办协议) with their sites and matters',
      tag: 'catalog',
      access: 'catalog.read',
      response: z.object({ partnerships: z.array(partnershipSchema) }),
      handler: () => ({ partnerships: ctx.catalog.partnerships() }),
    });
    api.route({
      method: 'get',
      path: '/api/matters',
      summary: 'The matter catalogue',
      tag: 'catalog',
      access: 'catalog.read',
      response: z.object({ matters: z.array(matterSchema) }),
      handler: () => ({ matters: ctx.catalog.matters() }),
    });
  },
};
