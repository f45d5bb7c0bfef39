// Runs asn1crypto_read.py (Debian's python3 with python3-asn1crypto, installed by
// scripts/setup-system.sh): the parser endesive-style validators use, as an independent reader.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './openssl.js';

export interface Asn1cryptoReading {
  readonly contentType: string;
  readonly tokens: readonly {
    eContentType: string;
    tstInfo: string;
    genTime: string;
    policy: string;
    hashedMessage: string;
  }[];
}

const SCRIPT = fileURLToPath(new URL('./asn1crypto_read.py', import.meta.url));

/** What asn1crypto reads from a TimeStampToken (`token`) or from a CMS signature's timestamps; throws with its error. */
export function asn1cryptoRead(kind: 'token' | 'signature', der: Uint8Array): Asn1cryptoReading {
  const tmp = scratchDir('tongban-asn1crypto-');
  try {
    const r = spawnSync('/usr/bin/python3', [SCRIPT, kind, tmp.write('in.der', der)], { encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`asn1crypto could not read the ${kind}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(r.stdout) as Asn1cryptoReading;
  } finally {
    tmp.cleanup();
  }
}
