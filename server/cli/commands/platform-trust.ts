// The trust material of a data directory for `tongban verify`: the root, the CA certificates and
// their current CRLs. Its own module so that a verify without a database never loads SQLite or the
// token.
import { PkiStore } from '../../kernel/pki/PkiStore.js';
import { Database } from '../../kernel/store/Database.js';
import { openDatabase } from '../../kernel/store/open-database.js';
import type { CrlDue } from './trust-snapshot.js';
import type { TrustMaterial } from './verify-outcome.js';

/** `due`: when read straight from the tables (what a trust snapshot may keep); absent when CRLs were re-issued. */
interface PlatformTrust {
  trust: TrustMaterial;
  due?: CrlDue[];
}

/**
 * Straight from the tables while every CA's stored CRL is still current: opening the token (a
 * PKCS#11 module and its login) was a third of a single-file verify, and only re-issuing a stale
 * CRL needs it. Undefined when some CRL is missing or stale.
 */
async function storedTrust(store: PkiStore, now: Date): Promise<PlatformTrust | undefined> {
  const cas = await store.cas();
  const rows = await Promise.all(
    cas.map(async (ca) => ({ ca, cert: await store.certificate(ca.certificate_id), crl: await store.crl(ca.id) })),
  );
  if (!rows.every((r) => r.cert && r.crl && new Date(r.crl.next_update) > now)) return undefined;
  const der = (b: Buffer) => new Uint8Array(b);
  return {
    trust: {
      trustAnchors: rows.filter((r) => r.ca.id === 'root').map((r) => der(r.cert!.der)),
      intermediates: rows.map((r) => der(r.cert!.der)),
      crls: rows.map((r) => der(r.crl!.der)),
    },
    due: rows.map((r) => ({ ca: r.ca.id, nextUpdate: r.crl!.next_update })),
  };
}

/** From the SQLite file `dbFile`; without it, the database the configuration names (TONGBAN_DATABASE_URL). */
export async function readPlatformTrust(dataDir: string, dbFile?: string): Promise<PlatformTrust> {
  const db = dbFile ? Database.open(dbFile) : await openDatabase((await import('../cli-config.js')).cliConfig(dataDir));
  try {
    const store = new PkiStore(db);
    if (!(await store.ca('root'))) return { trust: { trustAnchors: [], intermediates: [], crls: [] }, due: [] };
    const stored = await storedTrust(store, new Date());
    if (stored) return stored;
    // Loaded only here: the token's module loads the PKCS#11 addon as it is imported.
    const [{ openPlatformPki }, { cliConfig }] = await Promise.all([
      import('../../kernel/pki/open-platform-pki.js'),
      import('../cli-config.js'),
    ]);
    const pki = openPlatformPki(cliConfig(dataDir), db);
    return {
      trust: {
        trustAnchors: await pki.trustAnchors(),
        intermediates: await pki.caCertificates(),
        crls: (await pki.crls()).map((c) => c.der),
      },
    };
  } finally {
    await db.close();
  }
}
