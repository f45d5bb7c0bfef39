// Builds and signs one X.509 v3 certificate. node-forge assembles the TBSCertificate; the
// signature itself is made by a SigningKey (node:crypto or a PKCS#11 token), so that the private key
// never enters JavaScript RSA.
import { randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { forgeAttributes, reusableAttributes, type SubjectName } from './names.js';
import { asSigningKey } from './KeySigner.js';
import type { SigningKey } from './types.js';
import { profileExtensions, type CertificateProfile, type ForgeExtension } from './profiles.js';

export interface IssuerCredentials {
  /** DER of the issuing CA certificate. */
  readonly certificate: Uint8Array;
  readonly privateKey: KeyObject | SigningKey;
}

export interface CertificateRequest {
  readonly profile: CertificateProfile;
  readonly subject: SubjectName;
  readonly publicKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Absent: a self-signed certificate (the root), signed by `selfSignKey`. */
  readonly issuer?: IssuerCredentials;
  readonly selfSignKey?: KeyObject | SigningKey;
  /** CRL distribution point URL; required for every certificate but the root. */
  readonly crlUrl?: string;
  /** Hex; a random 16-byte positive serial when absent. */
  readonly serial?: string;
}

/** A random, positive, 16-byte serial number as lower-case hex. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 0x01; // positive and without a leading zero octet
  return bytes.toString('hex');
}

/** The URL the CRL of `caId` is published at (DESIGN §3). */
export function crlUrlFor(baseUrl: string, caId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/pki/crl/${encodeURIComponent(caId)}.crl`;
}

export function parseForgeCertificate(der: Uint8Array): forge.pki.Certificate {
  return forge.pki.certificateFromAsn1(forge.asn1.fromDer(Buffer.from(der).toString('binary')));
}

function subjectKeyIdentifierOf(cert: forge.pki.Certificate): string {
  const ext = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  return ext?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ext.subjectKeyIdentifier)
    : cert.generateSubjectKeyIdentifier().getBytes();
}

export async function issueCertificate(req: CertificateRequest): Promise<Uint8Array> {
  const signingKey = req.issuer?.privateKey ?? req.selfSignKey;
  if (!signingKey) throw new Error('issueCertificate: an issuer or a self-signing key is required');
  if (req.issuer && !req.crlUrl) throw new Error('issueCertificate: a CRL distribution point is required');

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(req.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = req.serial ?? randomSerial();
  cert.validity.notBefore = req.notBefore;
  cert.validity.notAfter = req.notAfter;
  const subject = forgeAttributes(req.subject);
  cert.setSubject(subject as unknown as forge.pki.CertificateField[]);

  const extensions: ForgeExtension[] = [...profileExtensions(req.profile), { name: 'subjectKeyIdentifier' }];
  if (req.issuer) {
    const issuerCert = parseForgeCertificate(req.issuer.certificate);
    cert.setIssuer(reusableAttributes(issuerCert.subject) as unknown as forge.pki.CertificateField[]);
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyIdentifierOf(issuerCert) });
  } else {
    cert.setIssuer(subject as unknown as forge.pki.CertificateField[]);
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: true });
  }
  if (req.crlUrl) extensions.push({ name: 'cRLDistributionPoints', altNames: [{ type: 6, value: req.crlUrl }] });
  cert.setExtensions(extensions);

  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = oid;
  cert.signatureOid = oid;
  const tbs = (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.tbsCertificate = tbs;
  cert.signature = Buffer.from(await asSigningKey(signingKey).sign(tbsDer, 'SHA-256')).toString('binary');
  return new Uint8Array(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'));
}
