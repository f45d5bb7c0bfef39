import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import forge from 'node-forge';
import { validateCertificateChain } from './chain-validation.js';
import { parseForgeCertificate } from './issue-certificate.js';
import { reusableAttributes } from './names.js';
import { parseCrl } from './crl.js';
import { certificatePem } from './encoding.js';
import { DAY_MS, issueWithNewKey, validity } from './hierarchy.js';
import { createTestPki, type TestPki } from './test-support/test-pki.js';
import { openssl, scratchDir } from './test-support/openssl.js';

const now = new Date('2026-06-01T08:00:00Z');
let pki: TestPki;
const tmp = scratchDir();

beforeAll(async () => {
  pki = await createTestPki({ clock: () => now });
});
afterAll(() => tmp.cleanup());

const later = (days: number) => new Date(now.getTime() + days * DAY_MS);

/** `openssl verify -crl_check` at `at` with the root trusted and the site CAs untrusted. */
function opensslVerify(leaf: Uint8Array, crl: Uint8Array, at: Date): { ok: boolean; output: string } {
  const root = tmp.write('root.pem', certificatePem(pki.root.certificate));
  const cas = tmp.write('cas.pem', pki.intermediates.map(certificatePem).join(''));
  const leafFile = tmp.write('leaf.pem', certificatePem(leaf));
  const crlFile = tmp.write('crl.der', crl);
  const crlPem = tmp.path('crl.pem');
  expect(openssl(['crl', '-inform', 'DER', '-in', crlFile, '-out', crlPem]).status).toBe(0);
  const r = openssl([
    'verify',
    '-attime',
    String(Math.floor(at.getTime() / 1000)),
    '-CAfile',
    root,
    '-untrusted',
    cas,
    '-CRLfile',
    crlPem,
    '-crl_check',
    leafFile,
  ]);
  return { ok: r.status === 0 && r.stdout.includes(': OK'), output: r.stdout + r.stderr };
}

describe('CRLs', () => {
  it('lists revoked serials with reason, dates, CRL number and AKI (openssl crl -text)', () => {
    const revokedAt = later(1);
    const der = pki.crl(
      'cixi',
      [{ serial: pki.serialOf(pki.clerk), date: revokedAt, reason: 'keyCompromise' }],
      later(2),
    );
    const parsed = parseCrl(der);
    expect(parsed.entries).toEqual([{ serial: pki.serialOf(pki.clerk), date: revokedAt, reason: 'keyCompromise' }]);
    expect(parsed.crlNumber).toBe(2n);
    expect(parsed.nextUpdate?.getTime()).toBe(later(9).getTime());
    expect(parsed.verifySignature(new X509Certificate(Buffer.from(pki.cas.cixi.certificate)).publicKey)).toBe(true);
    expect(parsed.verifySignature(new X509Certificate(Buffer.from(pki.cas.xingren.certificate)).publicKey)).toBe(false);
    const t = openssl(['crl', '-inform', 'DER', '-in', tmp.write('c.crl', der), '-noout', '-text']).stdout;
    expect(t).toContain('Version 2 (0x1)');
    expect(t).toContain(`Serial Number: ${pki.serialOf(pki.clerk).toUpperCase()}`);
    expect(t).toContain('Key Compromise');
    expect(t).toMatch(/X509v3 CRL Number:\s+2/);
    expect(t).toContain('X509v3 Authority Key Identifier');
  });

  it('openssl accepts the CRL signature with the issuing CA', () => {
    const der = pki.crl('xingren');
    const ca = tmp.write('xingren.pem', certificatePem(pki.cas.xingren.certificate));
    const r = openssl(['crl', '-inform', 'DER', '-in', tmp.write('x.crl', der), '-noout', '-CAfile', ca]);
    expect(r.stderr + r.stdout).toContain('verify OK');
  });
});

describe('validateCertificateChain agrees with openssl verify -crl_check', () => {
  it('valid signer, empty CRL: trusted, not revoked; openssl OK', () => {
    const crl = pki.crl('cixi');
    const at = later(1);
    const r = validateCertificateChain({
      leaf: pki.clerk.certificate,
      intermediates: pki.intermediates,
      trustAnchors: pki.trustAnchors,
      crls: [crl, pki.crl('root')],
      at,
    });
    expect(r).toMatchObject({ trusted: true, revoked: false, revocationChecked: true, problems: [] });
    expect(r.chain).toEqual([pki.clerk.certificate, pki.cas.cixi.certificate, pki.root.certificate]);
    expect(opensslVerify(pki.clerk.certificate, crl, at).ok).toBe(true);
  });

  it('revoked signer: revoked with reason and date; openssl says revoked', () => {
    const revokedAt = later(1);
    const crl = pki.crl(
      'cixi',
      [{ serial: pki.serialOf(pki.clerk), date: revokedAt, reason: 'keyCompromise' }],
      later(2),
    );
    const at = later(3);
    const r = validateCertificateChain({
      leaf: pki.clerk.certificate,
      intermediates: pki.intermediates,
      trustAnchors: pki.trustAnchors,
      crls: [crl],
      at,
    });
    expect(r.revoked).toBe(true);
    expect(r.revocation).toMatchObject({ reason: 'keyCompromise', date: revokedAt, afterValidationTime: false });
    const ossl = opensslVerify(pki.clerk.certificate, crl, at);
    expect(ossl.ok).toBe(false);
    expect(ossl.output).toContain('certificate revoked');
  });

  it('revoked after the validation time: not revoked at that time, but reported', () => {
    const crl = pki.crl('cixi', [{ serial: pki.serialOf(pki.clerk), date: later(5), reason: 'superseded' }], later(6));
    const r = validateCertificateChain({
      leaf: pki.clerk.certificate,
      intermediates: pki.intermediates,
      trustAnchors: pki.trustAnchors,
      crls: [crl],
      at: later(1),
    });
    expect(r).toMatchObject({
      trusted: true,
      revoked: false,
      revocation: { reason: 'superseded', afterValidationTime: true },
    });
  });

  it('expired at the validation time: not trusted (openssl: certificate has expired)', () => {
    const at = later(2);
    const r = validateCertificateChain({
      leaf: pki.applicant.certificate,
      intermediates: pki.intermediates,
      trustAnchors: pki.trustAnchors,
      at,
    });
    expect(r.trusted).toBe(false);
    expect(r.problems.join()).toContain('expired');
    expect(opensslVerify(pki.applicant.certificate, pki.crl('cixi'), at).output).toContain('certificate has expired');
  });

  it('unknown anchor, forged issuer and CRL from another CA are handled', async () => {
    const other = await createTestPki({ clock: () => now });
    const foreign = validateCertificateChain({
      leaf: other.clerk.certificate,
      intermediates: [...pki.intermediates, ...other.intermediates],
      trustAnchors: pki.trustAnchors,
      at: later(1),
    });
    expect(foreign.trusted).toBe(false);
    expect(foreign.problems.join()).toContain('no path');
    // A CRL signed by a different key with the same issuer name must not count.
    const forgedCrl = other.crl('cixi', [{ serial: pki.serialOf(pki.clerk), date: now, reason: 'keyCompromise' }]);
    const r = validateCertificateChain({
      leaf: pki.clerk.certificate,
      intermediates: pki.intermediates,
      trustAnchors: pki.trustAnchors,
      crls: [forgedCrl],
      at: later(1),
    });
    expect(r).toMatchObject({ trusted: true, revoked: false, revocationChecked: false });
    const garbage = validateCertificateChain({
      leaf: new Uint8Array([1, 2, 3]),
      trustAnchors: pki.trustAnchors,
      at: now,
    });
    expect(garbage.trusted).toBe(false);
  });

  it('an unknown critical extension makes the certificate untrusted (openssl agrees)', () => {
    // Built with forge directly: our issuer never emits such an extension.
    const ca = parseForgeCertificate(pki.cas.cixi.certificate);
    const cert = forge.pki.createCertificate();
    cert.publicKey = ca.publicKey;
    cert.serialNumber = '0badc0de';
    cert.validity.notBefore = now;
    cert.validity.notAfter = later(1);
    cert.setSubject([{ name: 'commonName', value: 'critical test' }]);
    cert.setIssuer(reusableAttributes(ca.subject) as unknown as forge.pki.CertificateField[]);
    cert.setExtensions([
      {
        id: '1.2.3.4.5',
        critical: true,
        value: forge.asn1
          .toDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, ''))
          .getBytes(),
      },
    ]);
    cert.sign(
      forge.pki.privateKeyFromPem(pki.cas.cixi.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
      forge.md.sha256.create(),
    );
    const der = new Uint8Array(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'));
    const r = validateCertificateChain({
      leaf: der,
      intermediates: pki.intermediates,
      trustAnchors: pki.trustAnchors,
      at: later(0.5),
    });
    expect(r.trusted).toBe(false);
    expect(r.problems.join()).toContain('unknown critical extension 1.2.3.4.5');
    expect(opensslVerify(der, pki.crl('cixi'), later(0.5)).output).toContain('unhandled critical extension');
  });

  it('a site CA may be the anchor; an end entity cannot act as an issuer', async () => {
    const underCa = validateCertificateChain({
      leaf: pki.clerk.certificate,
      trustAnchors: [pki.cas.cixi.certificate],
      at: later(1),
    });
    expect(underCa).toMatchObject({ trusted: true, chain: [pki.clerk.certificate, pki.cas.cixi.certificate] });
    const underLeaf = await issueWithNewKey({
      profile: { kind: 'signer' },
      subject: { commonName: 'forged' },
      issuer: pki.clerk,
      keyBits: 2048,
      crlUrl: 'http://x/pki/crl/x.crl',
      ...validity(now, DAY_MS),
    });
    const r = validateCertificateChain({
      leaf: underLeaf.certificate,
      intermediates: [pki.clerk.certificate, ...pki.intermediates],
      trustAnchors: pki.trustAnchors,
      at: later(0.5),
    });
    expect(r.trusted).toBe(false);
    expect(r.problems.join()).toContain('is not a CA');
    expect(r.problems.join()).toContain('path length constraint');
  });
});
