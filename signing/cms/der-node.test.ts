// The lazy DER reader must see exactly what asn1js sees in DER, and must refuse BER (so that
// checkSignedData falls back to asn1js for it) rather than read it differently.
import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../certs/test-support/test-pki.js';
import { createDetachedCms } from './create-cms.js';
import { asn1jsNode, derNode, integerContentHex, NotDerError, oidText, type DerNode } from './der-node.js';
import { toArrayBuffer } from './der.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 60_000);

interface Shape {
  tag: string;
  raw: string;
  octets?: string;
  children?: Shape[];
}

const shape = (n: DerNode): Shape =>
  n.constructed
    ? {
        tag: `${n.tagClass}/${n.tagNumber}`,
        raw: Buffer.from(n.raw).toString('hex'),
        children: n.children().map(shape),
      }
    : {
        tag: `${n.tagClass}/${n.tagNumber}`,
        raw: Buffer.from(n.raw).toString('hex'),
        octets: Buffer.from(n.octets()).toString('hex'),
      };

const viaAsn1js = (der: Uint8Array) => asn1jsNode(asn1js.fromBER(toArrayBuffer(der)).result);

describe('der-node', () => {
  it('reads a certificate and a CMS signature (with its certificates) exactly as asn1js does', async () => {
    // With a time-stamp token: a SignedData inside an unsigned attribute, certificates in both.
    const cms = await createDetachedCms(new TextEncoder().encode('hello'), pki.signer(pki.clerk), {
      timeStamper: pki.timeStamper,
    });
    for (const der of [pki.root.certificate, pki.clerk.certificate, cms]) {
      const lazy = shape(derNode(der));
      expect(lazy).toEqual(shape(viaAsn1js(der)));
      expect(lazy.children!.length).toBeGreaterThan(1);
    }
  });

  it('decodes OIDs and INTEGER magnitudes as asn1js does', () => {
    for (const text of ['1.2.840.113549.1.9.16.2.14', '2.16.840.1.101.3.4.2.1', '1.3.14.3.2.26', '2.999.3']) {
      const der = new Uint8Array(new asn1js.ObjectIdentifier({ value: text }).toBER());
      expect(oidText(derNode(der).octets())).toBe(text);
    }
    expect(integerContentHex(Uint8Array.of(0x00, 0x00, 0x80, 0x01))).toBe('8001');
    expect(integerContentHex(Uint8Array.of(0x00))).toBe('00');
  });

  it('refuses BER (an indefinite length, a constructed string) and trailing bytes; asn1js reads the BER', () => {
    // SEQUENCE (indefinite) { OCTET STRING constructed { 'ab', 'cd' } } end-of-contents
    const ber = Uint8Array.of(0x30, 0x80, 0x24, 0x08, 0x04, 0x02, 0xab, 0xab, 0x04, 0x02, 0xcd, 0xcd, 0x00, 0x00);
    expect(() => derNode(ber)).toThrow(NotDerError);
    const [pieces] = viaAsn1js(ber).children();
    expect(Buffer.from(pieces!.octets()).toString('hex')).toBe('ababcdcd');
    const constructedString = Uint8Array.of(0x24, 0x04, 0x04, 0x02, 0xab, 0xcd);
    expect(() => derNode(constructedString).octets()).toThrow(NotDerError);
    expect(() => derNode(Uint8Array.of(0x04, 0x01, 0xab, 0x00))).toThrow(NotDerError);
    expect(() => derNode(Uint8Array.of(0x30, 0x05, 0x04, 0x01))).toThrow(NotDerError);
  });
});
