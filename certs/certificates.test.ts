import { verify, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFacts } from './certificate-facts.js';
import { certificatePem } from './encoding.js';
import { DAY_MS, issueWithNewKey, validity } from './hierarchy.js';
import { crlUrlFor } from './issue-certificate.js';
import { KeySigner } from './KeySigner.js';
import { OID } from './oids.js';
import { tlsSubject } from './subjects.js';
import { createTestPki, type TestPki } from './test-support/test-pki.js';
import { openssl, scratchDir } from './test-support/openssl.js';

const now = new Date('2026-06-01T08:00:00Z');
let pki: TestPki;
const tmp = scratchDir();

beforeAll(async () => {
  pki = await createTestPki({ clock: () => now, baseUrl: 'https://desk.example' });
});
afterAll(() => tmp.cleanup());

function text(der: Uint8Array): string {
  const file = tmp.write(`c-${Math.random().toString(36).slice(2)}.pem`, certificatePem(der));
  const r = openssl(['x509', '-in', file, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space']);
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('certificate profiles (checked with openssl x509 -text)', () => {
  it('root CA is self-signed, a CA, with keyCertSign/cRLSign', () => {
    const t = text(pki.root.certificate);
    expect(t).toContain('Subject: C=CN, O=Tongban Desk, CN=Tongban Platform Root CA');
    expect(t).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(t).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(t).not.toContain('CRL Distribution Points');
  });

  it('site CA has a UTF-8 Chinese name, pathlen 0, AKI/SKI and a CRL distribution point', () => {
    const t = text(pki.cas.cixi.certificate);
    expect(t).toContain('CN=慈溪市政务服务办 CA');
    expect(t).toMatch(/CA:TRUE, pathlen:0/);
    expect(t).toContain('URI:https://desk.example/pki/crl/root.crl');
    const facts = certificateFacts(pki.cas.cixi.certificate);
    expect(facts.authorityKeyId).toBe(certificateFacts(pki.root.certificate).subjectKeyId);
    const asn1 = openssl(['asn1parse', '-in', tmp.write('cixi.pem', certificatePem(pki.cas.cixi.certificate))]).stdout;
    expect(asn1).toContain('UTF8STRING        :');
  });

  it('signer certificate: nonRepudiation + digitalSignature critical, name/site/role/user id', () => {
    const t = text(pki.clerk.certificate);
    expect(t).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(t).toContain('O=慈溪市政务服务办, OU=clerk, CN=张三, UID=clerk.cixi');
    expect(t).toContain('URI:https://desk.example/pki/crl/cixi.crl');
    expect(t).toMatch(/Subject Key Identifier/);
    expect(t).toMatch(/Authority Key Identifier/);
  });

  it('applicant event certificate carries the ID hash and the event id, valid one day', () => {
    const facts = certificateFacts(pki.applicant.certificate);
    expect(facts.subject).toContain('serialNumber=a3f1c2d4e5b6a7980123456789abcdef');
    expect(facts.subject).toContain('UID=event-1');
    expect(facts.notAfter.getTime() - now.getTime()).toBe(DAY_MS);
  });

  it('TSA certificate has critical extKeyUsage timeStamping', () => {
    const t = text(pki.tsa.certificate);
    expect(t).toMatch(/Extended Key Usage: critical\s+Time Stamping/);
    expect(certificateFacts(pki.tsa.certificate).extendedKeyUsage).toEqual([OID.timeStamping]);
  });

  it('TLS certificate: serverAuth and DNS/IP subject alternative names', async () => {
    const tls = await issueWithNewKey({
      profile: { kind: 'tls', dnsNames: ['desk.example', 'localhost'], ipAddresses: ['127.0.0.1'] },
      subject: tlsSubject('desk.example'),
      issuer: pki.root,
      keyBits: 2048,
      crlUrl: crlUrlFor('https://desk.example', 'root'),
      ...validity(now, 90 * DAY_MS),
    });
    const x = new X509Certificate(Buffer.from(tls.certificate));
    expect(x.checkHost('desk.example')).toBe('desk.example');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(text(tls.certificate)).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
  });

  it('serials are 16 random bytes, positive, distinct', () => {
    const serials = [pki.root, pki.cas.cixi, pki.clerk, pki.official, pki.tsa, pki.seal].map(
      (c) => certificateFacts(c.certificate).serial,
    );
    expect(new Set(serials).size).toBe(serials.length);
    for (const s of serials) expect(s).toMatch(/^[1-7][0-9a-f]{31}$|^0[1-9a-f][0-9a-f]{30}$/);
  });

  it('openssl verifies every end entity up to the root', () => {
    const root = tmp.write('root.pem', certificatePem(pki.root.certificate));
    const cas = tmp.write('cas.pem', pki.intermediates.map(certificatePem).join(''));
    for (const [name, cred] of Object.entries({
      clerk: pki.clerk,
      official: pki.official,
      tsa: pki.tsa,
      seal: pki.seal,
      applicant: pki.applicant,
    })) {
      const leaf = tmp.write(`${name}.pem`, certificatePem(cred.certificate));
      const r = openssl([
        'verify',
        '-attime',
        String(now.getTime() / 1000 + 60),
        '-CAfile',
        root,
        '-untrusted',
        cas,
        leaf,
      ]);
      expect(r.stdout.trim(), name).toBe(`${leaf}: OK`);
    }
  });

  it('KeySigner signs with RSA-SHA256/384/512 verifiable with the certificate key', async () => {
    const signer: KeySigner = pki.signer(pki.clerk);
    expect(signer.chain).toEqual([pki.cas.cixi.certificate, pki.root.certificate]);
    const data = new TextEncoder().encode('通办 signed bytes');
    const x = new X509Certificate(Buffer.from(signer.certificate));
    for (const d of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const sig = await signer.sign(data, d);
      expect(verify(d.replace('-', '').toLowerCase(), data, x.publicKey, sig)).toBe(true);
    }
    expect(JSON.stringify(signer)).not.toContain('PRIVATE');
  });
});
