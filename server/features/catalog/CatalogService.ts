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

type PartnershipRow = Omit<Partnership, 'sites' | 'matters'>;

const SELECT_SITE = 'SELECT id, name, name_en AS "nameEn", region FROM sites';
const SELECT_PARTNERSHIP = 'SELECT id, name, kind, signed_on AS "signedOn", description FROM partnerships';

export class CatalogService {
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async sites(): Promise<Site[]> {
    return this.#db.all<Site>(`${SELECT_SITE} ORDER BY id`);
  }

  async site(id: string): Promise<Site> {
    const site = await this.#db.get<Site>(`${SELECT_SITE} WHERE id = ?`, [id]);
    if (!site) throw new NotFoundError(`site ${id}`);
    return site;
  }

  async hasSite(id: string): Promise<boolean> {
    return (await this.#db.get('SELECT 1 FROM sites WHERE id = ?', [id])) !== undefined;
  }

  /** Inserts the site, or updates its names when it exists (idempotent seeding). */
  async upsertSite(site: Site): Promise<Site> {
    await this.#db.run(
      `INSERT INTO sites (id, name, name_en, region, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, region = excluded.region`,
      [site.id, site.name, site.nameEn, site.region, this.#clock().toISOString()],
    );
    return this.site(site.id);
  }

  async matters(): Promise<Matter[]> {
    return (await this.#db.all<MatterRow>('SELECT * FROM matters ORDER BY id')).map(toMatter);
  }

  async matter(id: string): Promise<Matter> {
    const row = await this.#db.get<MatterRow>('SELECT * FROM matters WHERE id = ?', [id]);
    if (!row) throw new NotFoundError(`matter ${id}`);
    return toMatter(row);
  }

  async upsertMatter(m: Matter): Promise<void> {
    await this.#db.run(
      `INSERT INTO matters (id, name, name_en, category, department, requires_identity_confirmation, retention_days)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, category = excluded.category,
         department = excluded.department, requires_identity_confirmation = excluded.requires_identity_confirmation,
         retention_days = excluded.retention_days`,
      [m.id, m.name, m.nameEn, m.category, m.department, m.requiresIdentityConfirmation ? 1 : 0, m.retentionDays],
    );
  }

  async partnerships(): Promise<Partnership[]> {
    const rows = await this.#db.all<PartnershipRow>(`${SELECT_PARTNERSHIP} ORDER BY id`);
    return Promise.all(rows.map((p) => this.#withMembers(p)));
  }

  async partnership(id: string): Promise<Partnership> {
    const row = await this.#db.get<PartnershipRow>(`${SELECT_PARTNERSHIP} WHERE id = ?`, [id]);
    if (!row) throw new NotFoundError(`partnership ${id}`);
    return this.#withMembers(row);
  }

  /** Creates or replaces a partnership with its member sites and matters (all must exist). */
  async upsertPartnership(p: Partnership): Promise<Partnership> {
    if (new Set(p.sites).size < 2) throw new ConflictError('a partnership needs at least two different sites');
    for (const s of p.sites) await this.site(s);
    for (const m of p.matters) await this.matter(m);
    await this.#db.transaction(async () => {
      await this.#db.run(
        `INSERT INTO partnerships (id, name, kind, signed_on, description) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, signed_on = excluded.signed_on,
           description = excluded.description`,
        [p.id, p.name, p.kind, p.signedOn, p.description],
      );
      await this.#db.run('DELETE FROM partnership_sites WHERE partnership_id = ?', [p.id]);
      await this.#db.run('DELETE FROM partnership_matters WHERE partnership_id = ?', [p.id]);
      for (const s of new Set(p.sites))
        await this.#db.run('INSERT INTO partnership_sites (partnership_id, site_id) VALUES (?, ?)', [p.id, s]);
      for (const m of new Set(p.matters))
        await this.#db.run('INSERT INTO partnership_matters (partnership_id, matter_id) VALUES (?, ?)', [p.id, m]);
    }, 'immediate');
    return this.partnership(p.id);
  }

  /** The partnership that lets `originating` send `matter` to `handling`, if any. */
  async partnershipFor(originating: string, handling: string, matterId: string): Promise<string | undefined> {
    const row = await this.#db.get<{ id: string }>(
      `SELECT a.partnership_id AS id FROM partnership_sites a
         JOIN partnership_sites b ON b.partnership_id = a.partnership_id
         JOIN partnership_matters m ON m.partnership_id = a.partnership_id
       WHERE a.site_id = ? AND b.site_id = ? AND m.matter_id = ? ORDER BY a.partnership_id LIMIT 1`,
      [originating, handling, matterId],
    );
    return row?.id;
  }

  /** Sites that share at least one partnership with `siteId`. */
  async partnerSites(siteId: string): Promise<string[]> {
    const rows = await this.#db.all<{ id: string }>(
      `SELECT DISTINCT b.site_id AS id FROM partnership_sites a
         JOIN partnership_sites b ON b.partnership_id = a.partnership_id
       WHERE a.site_id = ? AND b.site_id <> ? ORDER BY b.site_id`,
      [siteId, siteId],
    );
    return rows.map((r) => r.id);
  }

  async #withMembers(p: PartnershipRow): Promise<Partnership> {
    const sites = await this.#db.all<{ site_id: string }>(
      'SELECT site_id FROM partnership_sites WHERE partnership_id = ? ORDER BY site_id',
      [p.id],
    );
    const matters = await this.#db.all<{ matter_id: string }>(
      'SELECT matter_id FROM partnership_matters WHERE partnership_id = ? ORDER BY matter_id',
      [p.id],
    );
    return { ...p, sites: sites.map((r) => r.site_id), matters: matters.map((r) => r.matter_id) };
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
