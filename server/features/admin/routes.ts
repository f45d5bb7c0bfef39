// Platform administration: accounts, sites, matters and partnerships. Every change is audited.
import { actorOf, type Principal } from '../../kernel/principal.js';
import { NotFoundError } from '../../kernel/errors.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import type { LoginSessions, UserService } from '../auth/index.js';
import type { CatalogService } from '../catalog/index.js';
import {
  createUser,
  disableUser,
  enableUser,
  listUsers,
  resetPassword,
  savePartnership,
  saveSite,
} from '../../../protocol/http/admin.js';

export interface AdminRoutesDeps {
  readonly audit: AuditLog;
  readonly catalog: CatalogService;
  readonly users: UserService;
  readonly loginSessions: LoginSessions;
  readonly pki: PlatformPki;
}

function audit(
  deps: AdminRoutesDeps,
  principal: Principal | undefined,
  action: string,
  target: string,
  details = {},
): Promise<unknown> {
  return deps.audit.append({ actor: actorOf(principal), action, target, details });
}

export function adminRoutes(deps: AdminRoutesDeps): RouteModule {
  return {
    name: 'admin',
    register(api) {
      api.route({
        ...listUsers,
        summary: 'All accounts',
        tag: 'admin',
        access: 'admin.read',
        personalData: { what: 'user list (names, usernames)', object: () => 'users' },
        handler: async () => ({ users: await deps.users.list() }),
      });

      api.route({
        ...createUser,
        summary: 'Create an account (clerks and officials belong to a site)',
        tag: 'admin',
        access: 'admin.write',
        handler: async ({ principal, body }) => {
          if (body.siteId && !(await deps.catalog.hasSite(body.siteId))) throw new NotFoundError(`site ${body.siteId}`);
          const user = await deps.users.create({ id: body.username, ...body });
          await audit(deps, principal, 'user.created', `user:${user.id}`, { role: user.role, site: user.siteId });
          return user;
        },
      });

      api.route({
        ...resetPassword,
        summary: 'Set a new password for an account; its owner must change it at the next login, and its sessions end',
        tag: 'admin',
        access: 'admin.write',
        handler: async ({ principal, params, body }) => {
          const user = await deps.users.setPassword(params.id, body.password, false);
          await deps.loginSessions.revokeUser(user.id);
          await audit(deps, principal, 'user.password_reset', `user:${user.id}`);
          return user;
        },
      });

      for (const [contract, summary, verb, disabled] of [
        [disableUser, 'Disable an account and end its sessions', 'disable', true],
        [enableUser, 'Enable an account again', 'enable', false],
      ] as const) {
        api.route({
          ...contract,
          summary,
          tag: 'admin',
          access: 'admin.write',
          handler: async ({ principal, params }) => {
            const user = await deps.users.setDisabled(params.id, disabled);
            if (disabled) await deps.loginSessions.revokeUser(user.id);
            await audit(deps, principal, `user.${verb}d`, `user:${user.id}`);
            return user;
          },
        });
      }

      api.route({
        ...saveSite,
        summary: 'Create or rename a site (with its CA)',
        tag: 'admin',
        access: 'admin.write',
        handler: async ({ principal, params, body }) => {
          const site = await deps.catalog.upsertSite({ id: params.id, ...body });
          await deps.pki.ensureSiteCa({ id: site.id, name: site.name }); // its clerks need a CA to sign
          await audit(deps, principal, 'site.saved', `site:${site.id}`, { name: site.name });
          return site;
        },
      });

      api.route({
        ...savePartnership,
        summary: 'Create or replace a partnership with its sites and matters',
        tag: 'admin',
        access: 'admin.write',
        handler: async ({ principal, params, body }) => {
          const p = await deps.catalog.upsertPartnership({ id: params.id, ...body });
          await audit(deps, principal, 'partnership.saved', `partnership:${p.id}`, {
            sites: p.sites,
            matters: p.matters.length,
          });
          return p;
        },
      });
    },
  };
}
