// Small asn1js/pkijs helpers shared by the CRL, TSA and certificate readers.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from './encoding.js';

/** Parse one DER value, failing with `what` in the message rather than returning an error object. */
export function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(der));
  if (parsed.offset === -1) throw new Error(`${what}: not valid DER`);
  return parsed.result;
}

/** pkijs Time: UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5). */
export function x509Time(date: Date): pkijs.Time {
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  return new pkijs.Time({ type: whole.getUTCFullYear() < 2050 ? 0 : 1, value: whole });
}

export function integerFromHex(hex: string): asn1js.Integer {
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return new asn1js.Integer({ valueHex: toArrayBuffer(bytes) });
}
