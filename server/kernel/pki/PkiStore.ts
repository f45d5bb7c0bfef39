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

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /** A transaction that takes the write lock first: read-then-write sequences stay consistent across processes and nodes. */
  immediate<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn, 'immediate');
  }

  /** `record`: the sealed key (JSON) or, for protection 'token', the label of the key in the token. */
  async insertCertificate(
    row: NewCertificate,
    key: { protection: 'pin' | 'wrapping-key' | 'token'; record: string },
  ): Promise<void> {
    await this.transaction(async () => {
      // The issue order: the newest certificate is found even when several share a millisecond.
      const issuedSeq = await this.nextCounter('certificate_seq');
      await this.db.run(
        `INSERT INTO pki_certificates (id, serial, kind, ca_id, subject, user_id, event_id, role, site_id, hostnames,
           not_before, not_after, status, der, created_at, issued_seq)
         VALUES (@id, @serial, @kind, @ca_id, @subject, @user_id, @event_id, @role, @site_id, @hostnames,
           @not_before, @not_after, @status, @der, @created_at, @issued_seq)`,
        { ...row, der: Buffer.from(row.der), issued_seq: issuedSeq },
      );
      await this.db.run('INSERT INTO pki_keys (certificate_id, protection, record) VALUES (?, ?, ?)', [
        row.id,
        key.protection,
        key.record,
      ]);
    });
  }

  async insertCa(ca: CaRow, createdAt: string): Promise<void> {
    await this.db.run('INSERT INTO pki_cas (id, kind, name, certificate_id, created_at) VALUES (?, ?, ?, ?, ?)', [
      ca.id,
      ca.kind,
      ca.name,
      ca.certificate_id,
      createdAt,
    ]);
  }

  async replaceKeyRecord(certificateId: string, protection: 'pin', record: string): Promise<void> {
    await this.db.run('UPDATE pki_keys SET protection = ?, record = ? WHERE certificate_id = ?', [
      protection,
      record,
      certificateId,
    ]);
  }

  ca(id: string): Promise<CaRow | undefined> {
    return this.db.get<CaRow>('SELECT id, kind, name, certificate_id FROM pki_cas WHERE id = ?', [id]);
  }

  cas(): Promise<CaRow[]> {
    return this.db.all<CaRow>("SELECT id, kind, name, certificate_id FROM pki_cas ORDER BY kind = 'site', id");
  }

  certificate(id: string): Promise<CertificateRow | undefined> {
    return this.db.get<CertificateRow>('SELECT * FROM pki_certificates WHERE id = ?', [id]);
  }

  keyRecord(certificateId: string): Promise<{ protection: string; record: string } | undefined> {
    return this.db.get('SELECT protection, record FROM pki_keys WHERE certificate_id = ?', [certificateId]);
  }

  /** The newest certificate of a user or event that has not been superseded. */
  currentFor(column: 'user_id' | 'event_id', value: string): Promise<CertificateRow | undefined> {
    return this.db.get<CertificateRow>(
      `SELECT * FROM pki_certificates WHERE ${column} = ? AND status != 'superseded'
       ORDER BY created_at DESC, issued_seq DESC LIMIT 1`,
      [value],
    );
  }

  /** Every still-valid certificate of a user or event. */
  liveFor(column: 'user_id' | 'event_id', value: string): Promise<CertificateRow[]> {
    return this.db.all<CertificateRow>(`SELECT * FROM pki_certificates WHERE ${column} = ? AND status = 'valid'`, [
      value,
    ]);
  }

  /** The newest valid platform certificate of a kind (TSA, seal, TLS). */
  currentOfKind(kind: 'tsa' | 'seal' | 'tls'): Promise<CertificateRow | undefined> {
    return this.db.get<CertificateRow>(
      `SELECT * FROM pki_certificates WHERE kind = ? AND status = 'valid'
       ORDER BY created_at DESC, issued_seq DESC LIMIT 1`,
      [kind],
    );
  }

  endEntities(filter: { userId?: string; siteId?: string }): Promise<CertificateRow[]> {
    return this.db.all<CertificateRow>(
      `SELECT * FROM pki_certificates WHERE kind != 'ca'
         AND (CAST(@userId AS TEXT) IS NULL OR user_id = @userId) AND (CAST(@siteId AS TEXT) IS NULL OR site_id = @siteId)
       ORDER BY created_at, issued_seq`,
      { userId: filter.userId ?? null, siteId: filter.siteId ?? null },
    );
  }

  async setStatus(certificateId: string, status: 'revoked' | 'superseded'): Promise<void> {
    await this.db.run('UPDATE pki_certificates SET status = ? WHERE id = ?', [status, certificateId]);
  }

  async insertRevocation(
    certificateId: string,
    caId: string,
    serial: string,
    reason: string,
    at: string,
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO pki_revocations (certificate_id, ca_id, serial, reason, revoked_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
      [certificateId, caId, serial, reason, at],
    );
  }

  revocations(caId: string): Promise<RevocationRow[]> {
    return this.db.all<RevocationRow>(
      'SELECT serial, reason, revoked_at FROM pki_revocations WHERE ca_id = ? ORDER BY revoked_at, serial',
      [caId],
    );
  }

  crl(caId: string): Promise<CrlRow | undefined> {
    return this.db.get<CrlRow>('SELECT * FROM pki_crls WHERE ca_id = ?', [caId]);
  }

  async saveCrl(row: Omit<CrlRow, 'der'> & { der: Uint8Array }): Promise<void> {
    await this.db.run(
      `INSERT INTO pki_crls (ca_id, number, this_update, next_update, der) VALUES (@ca_id, @number, @this_update, @next_update, @der)
       ON CONFLICT (ca_id) DO UPDATE SET number = excluded.number, this_update = excluded.this_update,
         next_update = excluded.next_update, der = excluded.der`,
      { ...row, der: Buffer.from(row.der) },
    );
  }

  async pinState(userId: string): Promise<PinStateRow> {
    const row = await this.db.get<PinStateRow>(
      'SELECT failed_attempts, locked_at FROM pki_pin_state WHERE user_id = ?',
      [userId],
    );
    return row ?? { failed_attempts: 0, locked_at: null };
  }

  /** Counts one more failure; locks when `limit` is reached. Returns the new state. */
  recordPinFailure(userId: string, at: string, limit: number): Promise<PinStateRow> {
    return this.immediate(async () => {
      await this.db.run(
        `INSERT INTO pki_pin_state (user_id, failed_attempts, last_failure_at) VALUES (?, 1, ?)
         ON CONFLICT (user_id) DO UPDATE SET failed_attempts = pki_pin_state.failed_attempts + 1,
           last_failure_at = excluded.last_failure_at`,
        [userId, at],
      );
      await this.db.run(
        'UPDATE pki_pin_state SET locked_at = ? WHERE user_id = ? AND failed_attempts >= ? AND locked_at IS NULL',
        [at, userId, limit],
      );
      return this.pinState(userId);
    });
  }

  async resetPinState(userId: string): Promise<void> {
    await this.db.run('DELETE FROM pki_pin_state WHERE user_id = ?', [userId]);
  }

  /** Next value of a persisted counter (1, 2, …): one statement, atomic on both back-ends. */
  async nextCounter(name: string): Promise<number> {
    const row = await this.db.get<{ value: number }>(
      `INSERT INTO pki_counters (name, value) VALUES (?, 1)
       ON CONFLICT (name) DO UPDATE SET value = pki_counters.value + 1 RETURNING value`,
      [name],
    );
    return row!.value;
  }
}
