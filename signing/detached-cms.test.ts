// The detached CMS API for non-PDF data (recording manifests, evidence seals), checked with
// openssl cms and with our own verifier.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatePem } from '../certs/encoding.js';
import { createTestPki, type TestPki } from '../certs/test-support/test-pki.js';
import { createDetachedCms, verifyDetachedCms } from './index.js';
import { run, tempDir } from './test-support/tools.js';

let pki: TestPki;
let tmp: ReturnType<typeof tempDir>;
const content = Buffer.from(JSON.stringify({ session: 's-1', segments: ['a.webm', 'b.webm'], head: 'ab12' }));

beforeAll(async () => {
  const t0 = new Date();
  pki = await createTestPki({ clock: () => t0 });
  tmp = tempDir('cms');
  writeFileSync(join(tmp.dir, 'root.pem'), certificatePem(pki.root.certificate));
});

afterAll(() => tmp?.remove());

describe('createDetachedCms / verifyDetachedCms', () => {
  it('openssl cms -verify accepts the time-stamped seal over the content', async () => {
    const cms = await createDetachedCms(content, pki.signer(pki.seal), { timeStamper: pki.timeStamper });
    writeFileSync(join(tmp.dir, 'manifest.json'), content);
    writeFileSync(join(tmp.dir, 'manifest.p7s'), cms);
    const r = run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      join(tmp.dir, 'manifest.p7s'),
      '-content',
      join(tmp.dir, 'manifest.json'),
      '-CAfile',
      join(tmp.dir, 'root.pem'),
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]);
    expect(r.stderr).toContain('Verification successful');

    const ok = verifyDetachedCms(content, cms, { trustAnchors: pki.trustAnchors, now: pki.clock() });
    expect(ok).toMatchObject({ valid: true, intact: true, trusted: true, revoked: false });
    expect(ok.timestamp?.valid).toBe(true);
    expect(ok.signer?.subject).toContain('Tongban Platform Seal');
  });

  it('detects changed content, an unknown root and a revoked signer', async () => {
    const cms = await createDetachedCms(content, pki.signer(pki.clerk));
    const changed = Buffer.from(content);
    changed[3] = changed[3]! ^ 1;
    expect(verifyDetachedCms(changed, cms, { trustAnchors: pki.trustAnchors, now: pki.clock() })).toMatchObject({
      valid: false,
      intact: false,
    });
    expect(
      verifyDetachedCms(content, cms, { trustAnchors: [pki.cas.xingren.certificate], now: pki.clock() }),
    ).toMatchObject({ valid: false, intact: true, trusted: false });
    const crl = pki.crl('cixi', [
      { serial: pki.serialOf(pki.clerk), date: new Date(pki.clock().getTime() - 1000), reason: 'keyCompromise' },
    ]);
    expect(
      verifyDetachedCms(content, cms, { trustAnchors: pki.trustAnchors, crls: [crl], now: pki.clock() }),
    ).toMatchObject({ valid: false, intact: true, revoked: true });
    expect(verifyDetachedCms(content, Buffer.from('garbage'), { trustAnchors: pki.trustAnchors }).valid).toBe(false);
  });
});
