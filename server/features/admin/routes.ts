// Platform administration: accounts, sites, matters and partnerships. Every change is audited.
import { z } from 'zod';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { NotFoundError } from '../../kernel/errors.js';
import { catalogSchemas } from '../catalog/index.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { slug, slugParams } from '../../http/schemas.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import type { LoginSessions, UserService } from '../auth/index.js';
import type { CatalogService } from '../catalog/index.js';

export interface AdminRoutesDeps {
  readonly audit: AuditLog;
  readonly catalog: CatalogService;
  readonly users: UserService;
  readonly loginSessions: LoginSessions;
  readonly pki: PlatformPki;
}

const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(['clerk', 'official', 'auditor', 'admin']),
  siteId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
});

const newUserBody = z
  .object({
    username: slug,
    displayName: z.string().trim().min(1).max(64),
    role: z.enum(['clerk', 'official', 'auditor', 'admin']),
    siteId: slug.nullable(),
    password: z.string().min(10).max(256),
  })
  .strict();

const siteBody = catalogSchemas.siteSchema.omit({ id: true }).extend({ name: z.string().min(1).max(100), nameEn: z.string().min(1).max(200), region: z.string().min(1).max(100) }).strict();
const partnershipBody = catalogSchemas.partnershipSchema
  .omit({ id: true })
  .extend({
    name: z.string().min(1).max(200),
    signedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    description: z.string().max(2000),
    sites: z.array(slug).min(2).max(50),
    matters: z.array(slug).max(500),
  })
  .strict();

function audit(deps: AdminRoutesDeps, principal: Principal | undefined, action: string, target: string, details = {}) {
  deps.audit.append({ actor: actorOf(principal), action, target, details });
}

export function adminRoutes(deps: AdminRoutesDeps): RouteModule {
  return {
  name: 'admin',
  register(api) {
    api.route({
      method: 'get',
      path: '/api/admin/users',
      summary: 'All accounts',
      tag: 'admin',
      access: 'admin.read',
      response: z.object({ users: z.array(userSchema) }),
      handler: () => ({ users: deps.users.list() }),
    });

    api.route({
      method: 'post',
      path: '/api/admin/users',
      summary: 'Create an account (clerks and officials belong to a site)',
      tag: 'admin',
      access: 'admin.write',
      body: newUserBody,
      status: 201,
      response: userSchema,
      handler: async ({ principal, body }) => {
        if (body.siteId && !deps.catalog.hasSite(body.siteId)) throw new NotFoundError(`site ${body.siteId}`);
        const user = await deps.users.create({ id: body.username, ...body });
        audit(deps, principal, 'user.created', `user:${user.id}`, { role: user.role, site: user.siteId });
        return user;
      },
    });

    for (const [verb, disabled] of [
      ['disable', true],
      ['enable', false],
    ] as const) {
      api.route({
        method: 'post',
        path: `/api/admin/users/:id/${verb}`,
        summary: disabled ? 'Disable an account and end its sessions' : 'Enable an account again',
        tag: 'admin',
        access: 'admin.write',
        params: slugParams,
        response: userSchema,
        handler: ({ principal, params }) => {
          const user = deps.users.setDisabled(params.id, disabled);
          if (disabled) deps.loginSessions.revokeUser(user.id);
          audit(deps, principal, `user.${verb}d`, `user:${user.id}`);
          return user;
        },
      });
    }

    api.route({
      method: 'put',
      path: '/api/admin/sites/:id',
      summary: 'Create or rename a site (with its CA)',
      tag: 'admin',
      access: 'admin.write',
      params: slugParams,
      body: siteBody,
      response: catalogSchemas.siteSchema,
      handler: async ({ principal, params, body }) => {
        const site = deps.catalog.upsertSite({ id: params.id, ...body });
        await deps.pki.ensureSiteCa({ id: site.id, name: site.name }); // its clerks need a CA to sign
        audit(deps, principal, 'site.saved', `site:${site.id}`, { name: site.name });
        return site;
      },
    });

    api.route({
      method: 'put',
      path: '/api/admin/partnerships/:id',
      summary: 'Create or replace a partnership with its sites and matters',
      tag: 'admin',
      access: 'admin.write',
      params: slugParams,
      body: partnershipBody,
      response: catalogSchemas.partnershipSchema,
      handler: ({ principal, params, body }) => {
        const p = deps.catalog.upsertPartnership({ id: params.id, ...body });
        audit(deps, principal, 'partnership.saved', `partnership:${p.id}`, { sites: p.sites, matters: p.matters.length });
        return p;
      },
    });
  },
};
}
