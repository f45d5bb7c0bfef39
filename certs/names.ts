// Distinguished names: always UTF8String, because site and person names are Chinese.
import forge from 'node-forge';

export interface SubjectName {
  readonly commonName: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  /** X.520 serialNumber (2.5.4.5): the user id for signers, the ID hash for applicants. */
  readonly serialNumber?: string;
  /** RFC 4519 uid: the event/case id of an applicant certificate. */
  readonly uid?: string;
  readonly country?: string;
}

const UID_OID = '0.9.2342.19200300.100.1.1';

interface ForgeAttribute {
  type: string;
  value: string;
  valueTagClass: number;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function forgeAttributes(name: SubjectName): ForgeAttribute[] {
  if (name.serialNumber !== undefined && (!PRINTABLE.test(name.serialNumber) || name.serialNumber.length > 64)) {
    throw new Error('subject serialNumber must be a PrintableString of at most 64 characters');
  }
  const { UTF8, PRINTABLESTRING } = forge.asn1.Type;
  const attrs: ForgeAttribute[] = [];
  const add = (type: string, value: string | undefined, tag: number = UTF8) => {
    if (value !== undefined) attrs.push({ type, value, valueTagClass: tag });
  };
  add('2.5.4.6', name.country, PRINTABLESTRING);
  add('2.5.4.10', name.organization);
  add('2.5.4.11', name.organizationalUnit);
  add('2.5.4.3', name.commonName);
  add('2.5.4.5', name.serialNumber, PRINTABLESTRING);
  add(UID_OID, name.uid);
  return attrs;
}

/**
 * forge keeps UTF8String values of a parsed name as raw UTF-8 bytes but encodes them again on
 * output; decode them so that an issuer name copied from a parsed certificate stays byte-identical.
 */
export function reusableAttributes(parsed: forge.pki.Certificate['subject']): ForgeAttribute[] {
  return parsed.attributes.map((a) => {
    const raw = String(a.value);
    const tag = (a as { valueTagClass?: number }).valueTagClass ?? forge.asn1.Type.PRINTABLESTRING;
    return {
      type: String(a.type),
      value: tag === forge.asn1.Type.UTF8 ? forge.util.decodeUtf8(raw) : raw,
      valueTagClass: tag,
    };
  });
}
