// The catalogue: sites, partnerships (通办协议) and matters.
import { z } from 'zod';
import { route } from '../common.js';

export const site = z.object({ id: z.string(), name: z.string(), nameEn: z.string(), region: z.string() });
export type Site = z.infer<typeof site>;

export const matterCategories = ['个人', '法人'] as const;
export const matter = z.object({
  id: z.string(),
  name: z.string(),
  nameEn: z.string(),
  category: z.enum(matterCategories),
  department: z.string(),
  requiresIdentityConfirmation: z.boolean(),
  retentionDays: z.number().int(),
});
export type Matter = z.infer<typeof matter>;

export const partnershipKinds = ['跨省通办', '跨市通办'] as const;
export const partnership = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(partnershipKinds),
  signedOn: z.string(),
  description: z.string(),
  sites: z.array(z.string()),
  matters: z.array(z.string()),
});
export type Partnership = z.infer<typeof partnership>;

export const sitesResponse = z.object({ sites: z.array(site) });
export const partnershipsResponse = z.object({ partnerships: z.array(partnership) });
export const mattersResponse = z.object({ matters: z.array(matter) });

export const listSites = route({ method: 'get', path: '/api/sites', response: sitesResponse });
export const listPartnerships = route({ method: 'get', path: '/api/partnerships', response: partnershipsResponse });
export const listMatters = route({ method: 'get', path: '/api/matters', response: mattersResponse });
