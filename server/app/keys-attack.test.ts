// Issue 12 §4 against a real server: with the data directory's database and blobs but not the
// token, the signing keys cannot be recovered even with the correct PIN, while the server (which
// has the token) signs; CA, TSA and seal keys are not in any file at all.
import BetterSqlite3 from 'better-sqlite3';
import { createDecipheriv, scryptSync, verify, X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certificatePem } from '../../certs/encoding.js';
import { decryptWithPin, parseKeyRecord } from '../../certs/keystore.js';
import { DEMO_PIN } from '../demo/demo-data.js';
import { TestServer } from '../test-support/TestServer.js';

let server: TestServer;
let stolen: string;

let stolenRows: KeyRow[];

beforeAll(async () => {
  server = await TestServer.start({ seed: true });
  const { db } = server.app.services;
  // The attacker's copy: the SQLite file (checkpointed, with its WAL) and the blob store; not hsm/.
  if (db.dialect === 'sqlite') db.sql.pragma('wal_checkpoint(TRUNCATE)');
  stolen = mkdtempSync(join(tmpdir(), 'tongban-stolen-'));
  for (const name of readdirSync(server.dataDir).filter((n) => n.startsWith('tongban.sqlite') || n === 'blobs'))
    cpSync(join(server.dataDir, name), join(stolen, name), { recursive: true });
  // On PostgreSQL the attacker's copy of the database is a dump: the same rows, read here.
  stolenRows = db.dialect === 'sqlite' ? stolenFileKeys() : await db.all<KeyRow>(STOLEN_KEYS);
});
afterAll(async () => {
  await server?.dispose();
  rmSync(stolen, { recursive: true, force: true });
});

interface KeyRow {
  id: string;
  kind: string;
  user_id: string | null;
  protection: string;
  record: string;
}

const STOLEN_KEYS = `SELECT c.id, c.kind, c.user_id, k.protection, k.record FROM pki_certificates c
  JOIN pki_keys k ON k.certificate_id = c.id WHERE c.status = 'valid'`;

function stolenFileKeys(): KeyRow[] {
  const db = new BetterSqlite3(join(stolen, 'tongban.sqlite'), { readonly: true });
  try {
    return db.prepare(STOLEN_KEYS).all() as KeyRow[];
  } finally {
    db.close();
  }
}

const stolenKeys = () => stolenRows;

describe('keys need the token', () => {
  test('attack: DB-only key recovery — the correct PIN with the code’s own scrypt parameters does not open a user key', async () => {
    const row = stolenKeys().find((r) => r.user_id === 'clerk.cixi')!;
    expect(row.protection).toBe('pin');
    const record = parseKeyRecord(row.record);
    if (record.kdf.name !== 'scrypt') throw new Error('expected a PIN-sealed record');
    // Through the code's own function: the record says it needs the token's pepper.
    const viaCode = await decryptWithPin(record, DEMO_PIN, row.id).catch((err: { code: string }) => err);
    expect(viaCode).toMatchObject({ code: 'bad_keystore' });
    // The same function told the record is unpeppered: the correct PIN does not authenticate.
    const kdf = { ...record.kdf, peppered: undefined };
    const unpeppered = await decryptWithPin({ ...record, kdf }, DEMO_PIN, row.id).catch((err: { code: string }) => err);
    expect(unpeppered).toMatchObject({ code: 'wrong_pin' });
    // By hand, as a cracker would: scrypt(PIN) with the stored salt and cost as the AES-GCM key.
    const { N, r, p, salt } = record.kdf;
    const aesKey = scryptSync(DEMO_PIN, Buffer.from(salt, 'base64'), 32, { N, r, p, maxmem: 256 * N * r + 2 ** 20 });
    const decipher = createDecipheriv('aes-256-gcm', aesKey, Buffer.from(record.iv, 'base64'));
    decipher.setAAD(Buffer.from(`tongban-keystore-v1:${row.id}`, 'utf8'));
    decipher.setAuthTag(Buffer.from(record.tag, 'base64'));
    decipher.update(Buffer.from(record.ct, 'base64'));
    expect(() => decipher.final()).toThrow(/unable to authenticate/);
    console.log(
      `attack: DB-only key recovery with the correct PIN → ${(viaCode as { code: string }).code}, ` +
        `unpeppered → ${(unpeppered as { code: string }).code}, raw scrypt+AES-GCM → authentication failure`,
    );
  });

  test('the server, which holds the token, signs with the same key and PIN', async () => {
    const signer = await server.app.services.pki.unlockUserSigner('clerk.cixi', DEMO_PIN);
    const data = new TextEncoder().encode('承诺书');
    const signature = await signer.sign(data, 'SHA-256');
    const cert = new X509Certificate(certificatePem(signer.certificate));
    expect(verify('sha256', data, cert.publicKey, signature)).toBe(true);
  });

  test('CA, TSA and seal keys are not in the stolen files: their rows name a token object, nothing more', async () => {
    const rows = stolenKeys().filter((r) => ['ca', 'tsa', 'seal'].includes(r.kind));
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['ca', 'tsa', 'seal']));
    for (const row of rows) {
      expect(row.protection).toBe('token');
      expect(row.record).toBe(`tongban:${row.id}`);
      expect(server.app.services.pki.token.keyAttributes(row.record, 'private')).toEqual({
        sensitive: true,
        extractable: false,
      });
    }
    // And the token still signs with them: the seal signature verifies with the seal certificate.
    const seal = await server.app.services.pki.sealSigner();
    const data = new TextEncoder().encode('seal');
    const cert = new X509Certificate(certificatePem(seal.certificate));
    expect(verify('sha256', data, cert.publicKey, await seal.sign(data, 'SHA-256'))).toBe(true);
  });
});
