// The trust material of a data directory for `tongban verify`: the root, the CA certificates and
// their current CRLs. Its own module so that a verify without a database never loads SQLite or the
// token.
import { openPlatformPki } from '../../kernel/pki/open-platform-pki.js';
import { Database } from '../../kernel/store/Database.js';
import { cliConfig } from '../cli-config.js';

export function readPlatformTrust(
  dataDir: string,
  dbFile: string,
): { trustAnchors: Uint8Array[]; intermediates: Uint8Array[]; crls: Uint8Array[] } {
  const db = Database.open(dbFile);
  try {
    const pki = openPlatformPki(cliConfig(dataDir), db);
    if (!pki.isInitialised()) return { trustAnchors: [], intermediates: [], crls: [] };
    return {
      trustAnchors: pki.trustAnchors(),
      intermediates: pki.caCertificates(),
      crls: pki.crls().map((c) => c.der),
    };
  } finally {
    db.close();
  }
}
