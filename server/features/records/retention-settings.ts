// Retention of ceremony records per ceremony kind (matters keep theirs in the catalogue): the
// setting, who changed it last and when.
import type { Database } from '../../kernel/store/Database.js';
import { NotFoundError } from '../../kernel/errors.js';
import type { CeremonyKind } from '../../../protocol/http/retention.js';

export interface CeremonyRetention {
  readonly kind: CeremonyKind;
  readonly retentionDays: number;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

export class CeremonyRetentionStore {
  constructor(readonly db: Database) {}

  all(): Promise<CeremonyRetention[]> {
    return this.db.all<CeremonyRetention>(
      `SELECT kind, retention_days AS "retentionDays", updated_at AS "updatedAt", updated_by AS "updatedBy"
       FROM ceremony_retention ORDER BY kind`,
    );
  }

  async days(kind: CeremonyKind): Promise<number> {
    const row = (await this.all()).find((r) => r.kind === kind);
    if (!row) throw new NotFoundError(`ceremony kind ${kind}`);
    return row.retentionDays;
  }

  async set(kind: CeremonyKind, days: number, by: string, at: string): Promise<void> {
    await this.db.run(
      `INSERT INTO ceremony_retention (kind, retention_days, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind) DO UPDATE SET retention_days = excluded.retention_days, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by`,
      [kind, days, at, by],
    );
  }
}
