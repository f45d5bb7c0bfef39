// Seeds DESIGN §10 idempotently: sites, matters, the five partnerships, the demo accounts and, for
// clerks and officials, signing certificates with the demo PIN. Running it twice changes nothing.
import type { AuditLog } from '../kernel/audit/AuditLog.js';
import type { CatalogService } from '../features/catalog/index.js';
import { DEMO_PASSWORD, DEMO_PIN, demoMatters, demoPartnerships, demoSites, demoUsers } from './demo-data.js';
import type { UserService } from '../features/auth/index.js';

/** The PlatformPki operations seeding needs. */
export interface DemoPki {
  ensureSiteCa(site: { id: string; name: string }): Promise<unknown>;
  certificates(filter: { userId?: string }): readonly unknown[];
  issueUserCertificate(input: {
    userId: string;
    name: string;
    role: string;
    siteId: string;
    pin: string;
  }): Promise<unknown>;
}

export interface SeedReport {
  readonly usersCreated: number;
  readonly certificatesIssued: number;
}

export async function seedDemo(deps: {
  catalog: CatalogService;
  users: UserService;
  audit: AuditLog;
  pki: DemoPki;
}): Promise<SeedReport> {
  const { catalog, users, audit, pki } = deps;
  for (const site of demoSites) catalog.upsertSite(site);
  for (const matter of demoMatters) catalog.upsertMatter(matter);
  for (const p of demoPartnerships) catalog.upsertPartnership({ ...p, sites: [...p.sites], matters: [...p.matters] });
  for (const site of demoSites) await pki.ensureSiteCa({ id: site.id, name: site.name });
  let usersCreated = 0;
  let certificatesIssued = 0;
  for (const u of demoUsers) {
    if (!users.find(u.username)) {
      await users.create({ id: u.username, ...u, password: DEMO_PASSWORD });
      usersCreated += 1;
    }
    if (
      (u.role === 'clerk' || u.role === 'official') &&
      u.siteId &&
      pki.certificates({ userId: u.username }).length === 0
    ) {
      await pki.issueUserCertificate({
        userId: u.username,
        name: u.displayName,
        role: u.role,
        siteId: u.siteId,
        pin: DEMO_PIN,
      });
      certificatesIssued += 1;
    }
  }
  if (usersCreated + certificatesIssued > 0) {
    audit.append({ actor: 'system', action: 'demo.seeded', details: { usersCreated, certificatesIssued } });
  }
  return { usersCreated, certificatesIssued };
}
