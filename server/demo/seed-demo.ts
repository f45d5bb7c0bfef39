// Seeds DESIGN §10 idempotently: sites, matters, the five partnerships, the demo accounts and, for
// clerks and officials, signing certificates with the demo PIN. Running it twice changes nothing.
// The demo operator plays the users: their passwords count as chosen by them (no forced change),
// and each signer's PIN goes through the real enrolment path (a one-time code, redeemed with the
// PIN), as an admin and the user would do it.
import type { AuditLog } from '../kernel/audit/AuditLog.js';
import type { CatalogService } from '../features/catalog/index.js';
import type { ScriptService } from '../features/identity/index.js';
import {
  DEMO_PASSWORD,
  DEMO_PIN,
  demoMatters,
  demoPartnerships,
  demoScripts,
  demoSites,
  demoUsers,
} from './demo-data.js';
import type { PinEnrolments, UserService } from '../features/auth/index.js';

/** The PlatformPki operations seeding needs. */
export interface DemoPki {
  ensureSiteCa(site: { id: string; name: string }): Promise<unknown>;
  certificates(filter: { userId?: string }): Promise<readonly unknown[]>;
}

export interface SeedReport {
  readonly usersCreated: number;
  readonly certificatesIssued: number;
}

export async function seedDemo(deps: {
  catalog: CatalogService;
  scripts: ScriptService;
  users: UserService;
  audit: AuditLog;
  pki: DemoPki;
  enrolments: PinEnrolments;
}): Promise<SeedReport> {
  const { catalog, scripts, users, audit, pki, enrolments } = deps;
  for (const site of demoSites) await catalog.upsertSite(site);
  for (const matter of demoMatters) await catalog.upsertMatter(matter);
  for (const p of demoPartnerships)
    await catalog.upsertPartnership({ ...p, sites: [...p.sites], matters: [...p.matters] });
  for (const [matterId, steps] of Object.entries(demoScripts)) await scripts.seed(matterId, steps);
  for (const site of demoSites) await pki.ensureSiteCa({ id: site.id, name: site.name });
  let usersCreated = 0;
  let certificatesIssued = 0;
  for (const u of demoUsers) {
    if (!(await users.find(u.username))) {
      await users.create({ id: u.username, ...u, password: DEMO_PASSWORD, mustChangePassword: false });
      usersCreated += 1;
    }
    if (
      (u.role === 'clerk' || u.role === 'official') &&
      u.siteId &&
      (await pki.certificates({ userId: u.username })).length === 0
    ) {
      const { code } = await enrolments.issue(u.username, 'system:demo');
      await enrolments.redeem(u.username, code, DEMO_PIN);
      certificatesIssued += 1;
    }
  }
  if (usersCreated + certificatesIssued > 0) {
    await audit.append({ actor: 'system', action: 'demo.seeded', details: { usersCreated, certificatesIssued } });
  }
  return { usersCreated, certificatesIssued };
}
