import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl } from '../../../certs/test-support/openssl.js';
import { demoSites } from '../../demo/demo-data.js';
import { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import { Database } from '../../kernel/store/Database.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tongban-cli-pki-'));

function tongban(...args: string[]) {
  const env = { ...process.env, TONGBAN_DATA: '', TONGBAN_MASTER_KEY: '' };
  const r = spawnSync(process.execPath, ['bin/tongban.js', ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Reads the data directory in-process, as the server would. */
function withPki<T>(fn: (pki: PlatformPki) => T): T {
  const db = Database.open(join(dataDir, 'tongban.sqlite'));
  try {
    return fn(PlatformPki.open({ db, dataDir }));
  } finally {
    db.close();
  }
}

beforeAll(() => {
  const r = tongban('pki', 'init', '--data', dataDir);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('tongban pki (built CLI)', () => {
  it('init with no sites in the data makes CAs for the demo sites and inserts them; re-running adds nothing', () => {
    const sites = withPki((pki) => pki.crls().map((c) => c.caId));
    expect(sites.sort()).toEqual(['root', ...demoSites.map((s) => s.id)].sort());
    const db = Database.open(join(dataDir, 'tongban.sqlite'));
    const count = (db.sql.prepare('SELECT COUNT(*) AS n FROM sites').get() as { n: number }).n;
    db.close();
    expect(count).toBe(demoSites.length);
    const again = tongban('pki', 'init', '--data', dataDir);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('(0 new)');
  });

  it('export-root prints a PEM that openssl parses', () => {
    const r = tongban('pki', 'export-root', '--data', dataDir);
    expect(r.status).toBe(0);
    const file = join(dataDir, 'root.pem');
    writeFileSync(file, r.stdout);
    const parsed = openssl(['x509', '-in', file, '-noout', '-subject']);
    expect(parsed.stdout).toContain('CN = Tongban Platform Root CA');
  });

  it('issue, then revoke: the CA CRL lists the serial (openssl crl -text)', () => {
    const issued = tongban(
      'pki',
      'issue',
      '--user',
      'clerk.cixi',
      '--name',
      '张三',
      '--role',
      'clerk',
      '--site',
      'cixi',
      '--pin',
      '123456',
      '--data',
      dataDir,
    );
    expect(issued.stderr).toBe('');
    expect(issued.status).toBe(0);
    expect(issued.stdout).not.toContain('123456');
    const serial = withPki((pki) => pki.certificates({ userId: 'clerk.cixi' })[0]!.serial);
    expect(issued.stdout).toContain(serial);
    const revoked = tongban('pki', 'revoke', '--user', 'clerk.cixi', '--reason', 'keyCompromise', '--data', dataDir);
    expect(revoked.status).toBe(0);
    const crlFile = join(dataDir, 'cixi.crl');
    writeFileSync(
      crlFile,
      withPki((pki) => pki.crl('cixi')!),
    );
    const text = openssl(['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text']).stdout;
    expect(text).toContain(`Serial Number: ${serial.toUpperCase()}`);
    expect(text).toContain('Key Compromise');
  });

  it('bad input: one line on stderr, non-zero exit, no stack', () => {
    const cases: [string[], string][] = [
      [
        ['pki', 'issue', '--user', 'u', '--name', 'n', '--role', 'boss', '--site', 'cixi', '--pin', '123456'],
        'unknown role boss',
      ],
      [
        ['pki', 'issue', '--user', 'u', '--name', 'n', '--role', 'clerk', '--site', 'nowhere', '--pin', '123456'],
        'no CA for site nowhere',
      ],
      [
        ['pki', 'issue', '--user', 'u', '--name', 'n', '--role', 'clerk', '--site', 'cixi', '--pin', '123'],
        'PIN must be 6 to 12 digits',
      ],
      [['pki', 'issue', '--user', 'u', '--role', 'clerk', '--site', 'cixi', '--pin', '123456'], 'missing --name'],
      [['pki', 'revoke', '--user', 'nobody'], 'nobody has no certificate'],
      [['pki', 'revoke', '--user', 'clerk.cixi', '--reason', 'bored'], 'unknown reason bored'],
      [['pki', 'init', '--bogus'], 'bogus'],
    ];
    for (const [args, message] of cases) {
      const r = tongban(...args, '--data', dataDir);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    const missing = tongban('pki', 'export-root', '--data', join(dataDir, 'nothing-here'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^tongban: no database at .* \(run tongban pki init, or use --data DIR\)\n$/);
  });
});
