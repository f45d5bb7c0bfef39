// The lazy DER readers of certificates and CRLs (certificate-facts.ts, crl.ts) against pkijs, a
// reader we did not write, on every certificate of a test PKI and on CRLs with and without entries.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateFacts } from './certificate-facts.js';
import { parseCrl } from './crl.js';
import { toArrayBuffer } from './encoding.js';
import { OID } from './oids.js';
import { createTestPki, type TestPki } from './test-support/test-pki.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 120_000);

const hex = (b: ArrayBuffer | Uint8Array) =>
  Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');
const magnitude = (i: asn1js.Integer) => hex(i.valueBlock.valueHexView).replace(/^(00)+(?=..)/, '');
const parse = (der: Uint8Array) => asn1js.fromBER(toArrayBuffer(der)).result;

function pkijsView(der: Uint8Array) {
  const cert = new pkijs.Certificate({ schema: parse(der) });
  const ext = (oid: string) => cert.extensions?.find((e) => e.extnID === oid);
  const bc = ext(OID.basicConstraints)?.parsedValue as pkijs.BasicConstraints | undefined;
  const eku = ext(OID.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  const aki = ext(OID.authorityKeyIdentifier)?.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
  const ski = ext(OID.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
  const points = (ext(OID.crlDistributionPoints)?.parsedValue as pkijs.CRLDistributionPoints | undefined)
    ?.distributionPoints;
  return {
    serial: magnitude(cert.serialNumber),
    subjectValues: cert.subject.typesAndValues.map((tv) => String((tv.value.valueBlock as { value?: unknown }).value)),
    subjectDer: hex(cert.subject.toSchema().toBER()),
    issuerDer: hex(cert.issuer.toSchema().toBER()),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    isCa: bc?.cA === true,
    pathLength: typeof bc?.pathLenConstraint === 'number' ? bc.pathLenConstraint : undefined,
    extendedKeyUsage: eku?.keyPurposes ?? [],
    subjectKeyId: ski ? hex(ski.valueBlock.valueHexView) : undefined,
    authorityKeyId: aki?.keyIdentifier ? hex(aki.keyIdentifier.valueBlock.valueHexView) : undefined,
    crlUrls: (points ?? []).flatMap((p) =>
      Array.isArray(p.distributionPoint)
        ? p.distributionPoint.filter((n) => n.type === 6).map((n) => String(n.value))
        : [],
    ),
  };
}

describe('certificate facts read lazily agree with pkijs', () => {
  it('on every certificate of the test PKI', () => {
    const all = [pki.root, pki.cas.cixi, pki.cas.xingren, pki.clerk, pki.official, pki.applicant, pki.tsa, pki.seal];
    for (const { certificate } of all) {
      const ours = certificateFacts(certificate);
      const theirs = pkijsView(certificate);
      expect({
        serial: ours.serial,
        subjectValues: ours.subject.split(', ').map((part) => part.slice(part.indexOf('=') + 1)),
        subjectDer: hex(ours.subjectDer),
        issuerDer: hex(ours.issuerDer),
        notBefore: ours.notBefore.toISOString(),
        notAfter: ours.notAfter.toISOString(),
        isCa: ours.isCa,
        pathLength: ours.pathLength,
        extendedKeyUsage: ours.extendedKeyUsage,
        subjectKeyId: ours.subjectKeyId,
        authorityKeyId: ours.authorityKeyId,
        crlUrls: ours.crlUrls,
      }).toEqual(theirs);
      // node:crypto (OpenSSL) agrees on the subject too.
      expect(ours.x509.subject.split('\n').length).toBe(theirs.subjectValues.length);
    }
    expect(certificateFacts(pki.cas.cixi.certificate).subject).toContain('慈溪');
  });

  it('refuse what is not a certificate, naming the field', () => {
    expect(() => certificateFacts(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow(/malformed/);
    expect(() => certificateFacts(new Uint8Array([0x04, 0x00]))).toThrow(/malformed certificate/);
  });
});

describe('CRLs read lazily agree with pkijs', () => {
  it('with and without revoked entries', () => {
    const at = pki.clock();
    const entries = [
      {
        serial: certificateFacts(pki.clerk.certificate).serial,
        date: new Date(at.getTime() - 60_000),
        reason: 'keyCompromise' as const,
      },
      {
        serial: certificateFacts(pki.official.certificate).serial,
        date: new Date(at.getTime() - 30_000),
        reason: 'superseded' as const,
      },
    ];
    for (const der of [pki.crl('cixi'), pki.crl('cixi', entries)]) {
      const ours = parseCrl(der);
      const theirs = new pkijs.CertificateRevocationList({ schema: parse(der) });
      expect(hex(ours.issuerDer)).toBe(hex(theirs.issuer.toSchema().toBER()));
      expect(ours.thisUpdate.toISOString()).toBe(theirs.thisUpdate.value.toISOString());
      expect(ours.nextUpdate?.toISOString()).toBe(theirs.nextUpdate?.value.toISOString());
      expect(ours.entries.map((e) => [e.serial, e.date.toISOString()])).toEqual(
        (theirs.revokedCertificates ?? []).map((e) => [
          magnitude(e.userCertificate as asn1js.Integer),
          e.revocationDate.value.toISOString(),
        ]),
      );
      expect(ours.verifySignature(certificateFacts(pki.cas.cixi.certificate).publicKey)).toBe(true);
    }
    expect(parseCrl(pki.crl('cixi', entries)).entries.map((e) => e.reason)).toEqual(['keyCompromise', 'superseded']);
  });
});
