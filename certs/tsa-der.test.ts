// RFC 3161 tokens and responses are DER (issue 12 §8): the TSTInfo eContent is a primitive OCTET
// STRING (pkijs alone would emit a constructed one, which asn1crypto/endesive refuse), checked with
// a strict DER walker, an asn1js re-encoding and asn1crypto itself.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import { toArrayBuffer } from './encoding.js';
import { OID } from './oids.js';
import { asn1cryptoRead } from './test-support/asn1crypto.js';
import { derProblems } from './test-support/der-check.js';
import { createTestPki, type TestPki } from './test-support/test-pki.js';
import { tokenFromResponse } from './tsa/timestamp-response.js';
import { buildTimeStampRequest, randomNonce } from './tsa/timestamp-request.js';

const now = new Date('2026-06-01T08:00:00Z');
const digest = new Uint8Array(createHash('sha256').update('通办 DER').digest());
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki({ clock: () => now });
});

const children = (v: asn1js.AsnType): asn1js.AsnType[] => (v as asn1js.Constructed).valueBlock.value;

/** ContentInfo → [0] → SignedData → encapContentInfo → [0] → eContent, as asn1js parsed it. */
function eContentOf(tokenDer: Uint8Array): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(tokenDer));
  expect(parsed.offset).toBe(tokenDer.length);
  const signedData = children(children(parsed.result)[1]!)[0]!;
  const encap = children(signedData)[2]!;
  expect((children(encap)[0] as asn1js.ObjectIdentifier).valueBlock.toString()).toBe(OID.tstInfo);
  return children(children(encap)[1]!)[0]!;
}

describe('time-stamp tokens in DER', () => {
  it('the eContent OCTET STRING is primitive (04, not 24) and the whole token passes a strict DER check', async () => {
    const token = await pki.timeStamper.timestamp(digest, 'SHA-256');
    const eContent = eContentOf(token);
    expect(eContent.idBlock.tagClass).toBe(1);
    expect(eContent.idBlock.tagNumber).toBe(4);
    expect(eContent.idBlock.isConstructed).toBe(false);
    expect(eContent.valueBeforeDecodeView[0]).toBe(0x04);
    expect(derProblems(token)).toEqual([]);
    // The TSTInfo inside is DER too, and asn1js re-encodes the token to the very same bytes.
    expect(derProblems(new Uint8Array((eContent as asn1js.OctetString).valueBlock.valueHexView))).toEqual([]);
    const reencoded = new Uint8Array(asn1js.fromBER(toArrayBuffer(token)).result.toBER());
    expect(Buffer.from(reencoded).equals(Buffer.from(token))).toBe(true);
  });

  it('granted and rejected TimeStampResps are DER, and the client keeps the token bytes as sent', async () => {
    const resp = await pki.tsaAuthority.respond(buildTimeStampRequest(digest, 'SHA-256', randomNonce(), true));
    expect(derProblems(resp)).toEqual([]);
    const token = tokenFromResponse(resp, digest);
    expect(derProblems(token)).toEqual([]);
    expect(Buffer.from(resp).includes(Buffer.from(token))).toBe(true);
    expect(derProblems(await pki.tsaAuthority.respond(new Uint8Array([0xff, 0x00])))).toEqual([]);
  });

  it('asn1crypto (endesive) parses the token and its TSTInfo', async () => {
    const token = await pki.timeStamper.timestamp(digest, 'SHA-256');
    const read = asn1cryptoRead('token', token);
    expect(read.contentType).toBe('signed_data');
    expect(read.tokens).toEqual([
      {
        eContentType: OID.tstInfo,
        tstInfo: 'TSTInfo',
        genTime: '2026-06-01T08:00:00+00:00',
        policy: OID.tsaPolicy,
        hashedMessage: Buffer.from(digest).toString('hex'),
      },
    ]);
  });

  it('the DER checker itself refuses BER: indefinite and long-form lengths, constructed strings, unsorted SETs, padded INTEGERs', () => {
    const bad = (hex: string) => derProblems(Buffer.from(hex.replace(/ /g, ''), 'hex'));
    expect(bad('30 03 04 01 00')).toEqual([]);
    expect(bad('24 80 04 01 00 00 00').join()).toContain('indefinite length');
    expect(bad('24 03 04 01 00').join()).toContain('constructed encoding of universal type 4');
    expect(bad('04 81 01 00').join()).toContain('long form');
    expect(bad('31 06 02 01 02 02 01 01').join()).toContain('SET elements out of DER order');
    expect(bad('02 02 00 01').join()).toContain('INTEGER not minimal');
    expect(bad('30 03 04 01 00 00').join()).toContain('after the value');
  });
});
