// Sites, the matter catalogue and partnerships (通办协议): which matters a group of sites handles
// for each other. Read by everyone signed in; changed by admins.
import type { Database } from '../../kernel/store/Database.js';
import { ConflictError, NotFoundError } from '../../kernel/errors.js';
import { type Clock } from '../../kernel/clock.js';

export interface Site {
  readonly id: string;
  readonly name: string;
  readonly nameEn: string;
  readonly region: string;
}

export interface Matter {
  readonly id: string;
  readonly name: string;
  readonly nameEn: string;
  readonly category: '个人' | '法人';
  readonly department: string;
  readonly requiresIdentityConfirmation: boolean;
  readonly retentionDays: number;
}

export interface Partnership {
  readonly id: string;
  readonly name: string;
  readonly kind: '跨省通办' | '跨市通办';
  readonly signedOn: string;
  readonly description: string;
  readonly sites: string[];
  readonly matters: string[];
}

interface MatterRow {
  id: string;
  name: string;
  name_en: string;
  category: '个人' | '法人';
  department: string;
  requires_identity_confirmation: number;
  retention_days: number;
}

export class CatalogService {
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  sites(): Site[] {
    return this.#db.sql.prepare('SELECT id, name, name_en AS nameEn, region FROM sites ORDER BY id').all() as Site[];
  }

  site(id: string): Site {
    const site = this.#db.sql.prepare('SELECT id, name, name_en AS nameEn, region FROM sites WHERE id = ?').get(id) as
      Site | undefined;
    if (!site) throw new NotFoundError(`site ${id}`);
    return site;
  }

  hasSite(id: string): boolean {
    return this.#db.sql.prepare('SELECT 1 FROM sites WHERE id = ?').get(id) !== undefined;
  }

  /** Inserts the site, or updates its names when it exists (idempotent seeding). */
  upsertSite(site: Site): Site {
    this.#db.sql
      .prepare(
        `INSERT INTO sites (id, name, name_en, region, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, region = excluded.region`,
      )
      .run(site.id, site.name, site.nameEn, site.region, this.#clock().toISOString());
    return this.site(site.id);
  }

  matters(): Matter[] {
    return (this.#db.sql.prepare('SELECT * FROM matters ORDER BY id').all() as MatterRow[]).map(toMatter);
  }

  matter(id: string): Matter {
    const row = this.#db.sql.prepare('SELECT * FROM matters WHERE id = ?').get(id) as MatterRow | undefined;
    if (!row) throw new NotFoundError(`matter ${id}`);
    return toMatter(row);
  }

  upsertMatter(m: Matter): void {
    this.#db.sql
      .prepare(
        `INSERT INTO matters (id, name, name_en, category, department, requires_identity_confirmation, retention_days)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, category = excluded.category,
           department = excluded.department, requires_identity_confirmation = excluded.requires_identity_confirmation,
           retention_days = excluded.retention_days`,
      )
      .run(m.id, m.name, m.nameEn, m.category, m.department, m.requiresIdentityConfirmation ? 1 : 0, m.retentionDays);
  }

  partnerships(): Partnership[] {
    const rows = this.#db.sql
      .prepare('SELECT id, name, kind, signed_on AS signedOn, description FROM partnerships ORDER BY id')
      .all() as Omit<Partnership, 'sites' | 'matters'>[];
    return rows.map((p) => this.#withMembers(p));
  }

  partnership(id: string): Partnership {
    const row = this.#db.sql
      .prepare('SELECT id, name, kind, signed_on AS signedOn, description FROM partnerships WHERE id = ?')
      .get(id) as Omit<Partnership, 'sites' | 'matters'> | undefined;
    if (!row) throw new NotFoundError(`partnership ${id}`);
    return this.#withMembers(row);
  }

  /** Creates or replaces a partnership with its member sites and matters (all must exist). */
  upsertPartnership(p: Partnership): Partnership {
    if (new Set(p.sites).size < 2) throw new ConflictError('a partnership needs at least two different sites');
    for (const s of p.sites) this.site(s);
    for (const m of p.matters) this.matter(m);
    this.#db.transactionSync(() => {
      this.#db.sql
        .prepare(
          `INSERT INTO partnerships (id, name, kind, signed_on, description) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, signed_on = excluded.signed_on,
             description = excluded.description`,
        )
        .run(p.id, p.name, p.kind, p.signedOn, p.description);
      this.#db.sql.prepare('DELETE FROM partnership_sites WHERE partnership_id = ?').run(p.id);
      this.#db.sql.prepare('DELETE FROM partnership_matters WHERE partnership_id = ?').run(p.id);
      const addSite = this.#db.sql.prepare('INSERT INTO partnership_sites (partnership_id, site_id) VALUES (?, ?)');
      for (const s of new Set(p.sites)) addSite.run(p.id, s);
      const addMatter = this.#db.sql.prepare(
        'INSERT INTO partnership_matters (partnership_id, matter_id) VALUES (?, ?)',
      );
      for (const m of new Set(p.matters)) addMatter.run(p.id, m);
    });
    return this.partnership(p.id);
  }

  /** The partnership that lets `originating` send `matter` to `handling`, if any. */
  partnershipFor(originating: string, handling: string, matterId: string): string | undefined {
    const row = this.#db.sql
      .prepare(
        `SELECT a.partnership_id AS id FROM partnership_sites a
           JOIN partnership_sites b ON b.partnership_id = a.partnership_id
           JOIN partnership_matters m ON m.partnership_id = a.partnership_id
         WHERE a.site_id = ? AND b.site_id = ? AND m.matter_id = ? ORDER BY a.partnership_id LIMIT 1`,
      )
      .get(originating, handling, matterId) as { id: string } | undefined;
    return row?.id;
  }

  /** Sites that share at least one partnership with `siteId`. */
  partnerSites(siteId: string): string[] {
    return (
      this.#db.sql
        .prepare(
          `SELECT DISTINCT b.site_id AS id FROM partnership_sites a
             JOIN partnership_sites b ON b.partnership_id = a.partnership_id
           WHERE a.site_id = ? AND b.site_id <> ? ORDER BY b.site_id`,
        )
        .all(siteId, siteId) as { id: string }[]
    ).map((r) => r.id);
  }

  #withMembers(p: Omit<Partnership, 'sites' | 'matters'>): Partnership {
    const sites = (
      this.#db.sql
        .prepare('SELECT site_id FROM partnership_sites WHERE partnership_id = ? ORDER BY site_id')
        .all(p.id) as {
        site_id: string;
      }[]
    ).map((r) => r.site_id);
    const matters = (
      this.#db.sql
        .prepare('SELECT matter_id FROM partnership_matters WHERE partnership_id = ? ORDER BY matter_id')
        .all(p.id) as { matter_id: string }[]
    ).map((r) => r.matter_id);
    return { ...p, sites, matters };
  }
}

function toMatter(r: MatterRow): Matter {
  return {
    id: r.id,
    name: r.name,
    nameEn: r.name_en,
    category: r.category,
    department: r.department,
    requiresIdentityConfirmation: r.requires_identity_confirmation === 1,
    retentionDays: r.retention_days,
  };
}
