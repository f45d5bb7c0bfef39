// SQL for the platform PKI (tables of migration 002). Rows in, rows out; no cryptography here.
import type { Database } from '../store/Database.js';

export type StoredKind = 'ca' | 'user' | 'event' | 'tsa' | 'seal' | 'tls';

export interface CertificateRow {
  readonly id: string;
  readonly serial: string;
  readonly kind: StoredKind;
  readonly ca_id: string;
  readonly subject: string;
  readonly user_id: string | null;
  readonly event_id: string | null;
  readonly role: string | null;
  readonly site_id: string | null;
  readonly hostnames: string | null;
  readonly not_before: string;
  readonly not_after: string;
  readonly status: 'valid' | 'revoked' | 'superseded';
  readonly der: Buffer;
  readonly created_at: string;
}

export interface CaRow {
  readonly id: string;
  readonly kind: 'root' | 'site';
  readonly name: string;
  readonly certificate_id: string;
}

export interface CrlRow {
  readonly ca_id: string;
  readonly number: number;
  readonly this_update: string;
  readonly next_update: string;
  readonly der: Buffer;
}

export interface RevocationRow {
  readonly serial: string;
  readonly reason: string;
  readonly revoked_at: string;
}

export interface PinStateRow {
  readonly failed_attempts: number;
  readonly locked_at: string | null;
}

export type NewCertificate = Omit<CertificateRow, 'der'> & { readonly der: Uint8Array };

export class PkiStore {
  constructor(private readonly db: Database) {}

  transaction<T>(fn: () => T): T {
    return this.db.transactionSync(fn);
  }

  /** A transaction that takes the write lock first: read-then-write sequences stay consistent across processes (the CLI next to the server). */
  immediate<T>(fn: () => T): T {
    return this.db.sql.transaction(fn).immediate();
  }

  /** `record`: the sealed key (JSON) or, for protection 'token', the label of the key in the token. */
  insertCertificate(row: NewCertificate, key: { protection: 'pin' | 'wrapping-key' | 'token'; record: string }): void {
    this.db.sql
      .prepare(
        `INSERT INTO pki_certificates (id, serial, kind, ca_id, subject, user_id, event_id, role, site_id, hostnames,
           not_before, not_after, status, der, created_at)
         VALUES (@id, @serial, @kind, @ca_id, @subject, @user_id, @event_id, @role, @site_id, @hostnames,
           @not_before, @not_after, @status, @der, @created_at)`,
      )
      .run({ ...row, der: Buffer.from(row.der) });
    this.db.sql
      .prepare('INSERT INTO pki_keys (certificate_id, protection, record) VALUES (?, ?, ?)')
      .run(row.id, key.protection, key.record);
  }

  insertCa(ca: CaRow, createdAt: string): void {
    this.db.sql
      .prepare('INSERT INTO pki_cas (id, kind, name, certificate_id, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(ca.id, ca.kind, ca.name, ca.certificate_id, createdAt);
  }

  replaceKeyRecord(certificateId: string, protection: 'pin', record: string): void {
    this.db.sql
      .prepare('UPDATE pki_keys SET protection = ?, record = ? WHERE certificate_id = ?')
      .run(protection, record, certificateId);
  }

  ca(id: string): CaRow | undefined {
    return this.db.sql.prepare('SELECT id, kind, name, certificate_id FROM pki_cas WHERE id = ?').get(id) as
      CaRow | undefined;
  }

  cas(): CaRow[] {
    return this.db.sql
      .prepare("SELECT id, kind, name, certificate_id FROM pki_cas ORDER BY kind = 'site', id")
      .all() as CaRow[];
  }

  certificate(id: string): CertificateRow | undefined {
    return this.db.sql.prepare('SELECT * FROM pki_certificates WHERE id = ?').get(id) as CertificateRow | undefined;
  }

  keyRecord(certificateId: string): { protection: string; record: string } | undefined {
    return this.db.sql
      .prepare('SELECT protection, record FROM pki_keys WHERE certificate_id = ?')
      .get(certificateId) as { protection: string; record: string } | undefined;
  }

  /** The newest certificate of a user or event that has not been superseded. */
  currentFor(column: 'user_id' | 'event_id', value: string): CertificateRow | undefined {
    return this.db.sql
      .prepare(
        `SELECT * FROM pki_certificates WHERE ${column} = ? AND status != 'superseded' ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      )
      .get(value) as CertificateRow | undefined;
  }

  /** Every still-valid certificate of a user or event. */
  liveFor(column: 'user_id' | 'event_id', value: string): CertificateRow[] {
    return this.db.sql
      .prepare(`SELECT * FROM pki_certificates WHERE ${column} = ? AND status = 'valid'`)
      .all(value) as CertificateRow[];
  }

  /** The newest valid platform certificate of a kind (TSA, seal, TLS). */
  currentOfKind(kind: 'tsa' | 'seal' | 'tls'): CertificateRow | undefined {
    return this.db.sql
      .prepare(
        "SELECT * FROM pki_certificates WHERE kind = ? AND status = 'valid' ORDER BY created_at DESC, rowid DESC LIMIT 1",
      )
      .get(kind) as CertificateRow | undefined;
  }

  endEntities(filter: { userId?: string; siteId?: string }): CertificateRow[] {
    return this.db.sql
      .prepare(
        `SELECT * FROM pki_certificates WHERE kind != 'ca'
           AND (@userId IS NULL OR user_id = @userId) AND (@siteId IS NULL OR site_id = @siteId)
         ORDER BY created_at, rowid`,
      )
      .all({ userId: filter.userId ?? null, siteId: filter.siteId ?? null }) as CertificateRow[];
  }

  setStatus(certificateId: string, status: 'revoked' | 'superseded'): void {
    this.db.sql.prepare('UPDATE pki_certificates SET status = ? WHERE id = ?').run(status, certificateId);
  }

  insertRevocation(certificateId: string, caId: string, serial: string, reason: string, at: string): void {
    this.db.sql
      .prepare(
        'INSERT OR IGNORE INTO pki_revocations (certificate_id, ca_id, serial, reason, revoked_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(certificateId, caId, serial, reason, at);
  }

  revocations(caId: string): RevocationRow[] {
    return this.db.sql
      .prepare('SELECT serial, reason, revoked_at FROM pki_revocations WHERE ca_id = ? ORDER BY revoked_at, serial')
      .all(caId) as RevocationRow[];
  }

  crl(caId: string): CrlRow | undefined {
    return this.db.sql.prepare('SELECT * FROM pki_crls WHERE ca_id = ?').get(caId) as CrlRow | undefined;
  }

  saveCrl(row: Omit<CrlRow, 'der'> & { der: Uint8Array }): void {
    this.db.sql
      .prepare(
        `INSERT INTO pki_crls (ca_id, number, this_update, next_update, der) VALUES (@ca_id, @number, @this_update, @next_update, @der)
         ON CONFLICT(ca_id) DO UPDATE SET number = excluded.number, this_update = excluded.this_update,
           next_update = excluded.next_update, der = excluded.der`,
      )
      .run({ ...row, der: Buffer.from(row.der) });
  }

  pinState(userId: string): PinStateRow {
    const row = this.db.sql
      .prepare('SELECT failed_attempts, locked_at FROM pki_pin_state WHERE user_id = ?')
      .get(userId) as PinStateRow | undefined;
    return row ?? { failed_attempts: 0, locked_at: null };
  }

  /** Counts one more failure; locks when `limit` is reached. Returns the new state. */
  recordPinFailure(userId: string, at: string, limit: number): PinStateRow {
    return this.transaction(() => {
      this.db.sql
        .prepare(
          `INSERT INTO pki_pin_state (user_id, failed_attempts, last_failure_at) VALUES (?, 1, ?)
           ON CONFLICT(user_id) DO UPDATE SET failed_attempts = failed_attempts + 1, last_failure_at = excluded.last_failure_at`,
        )
        .run(userId, at);
      this.db.sql
        .prepare(
          'UPDATE pki_pin_state SET locked_at = ? WHERE user_id = ? AND failed_attempts >= ? AND locked_at IS NULL',
        )
        .run(at, userId, limit);
      return this.pinState(userId);
    });
  }

  resetPinState(userId: string): void {
    this.db.sql.prepare('DELETE FROM pki_pin_state WHERE user_id = ?').run(userId);
  }

  /** Next value of a persisted counter (1, 2, …). */
  nextCounter(name: string): number {
    const row = this.db.sql
      .prepare(
        'INSERT INTO pki_counters (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value',
      )
      .get(name) as { value: number };
    return row.value;
  }
}
