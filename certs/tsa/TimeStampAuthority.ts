// RFC 3161 time-stamping authority: answers TimeStampReqs with TimeStampResps whose token is a
// CMS SignedData over a TSTInfo (signed attributes contentType, messageDigest, signingCertificateV2).
// Bad requests are answered with a rejection status and a failInfo bit, never with an exception.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { integerFromHex, parseDer } from '../asn1.js';
import { randomSerial } from '../issue-certificate.js';
import { hash, toArrayBuffer } from '../encoding.js';
import { digestOid, OID } from '../oids.js';
import type { Signer } from '../types.js';
import { signingCertificateV2 } from './signing-certificate.js';
import { FAIL_INFO, parseTimeStampRequest, type FailInfo, type TimeStampRequest } from './timestamp-request.js';

export interface TimeStampAuthorityOptions {
  /** Signs with the TSA key; `signer.certificate` must carry extKeyUsage timeStamping (critical). */
  readonly signer: Signer;
  readonly clock?: () => Date;
  /** Unique TSTInfo serial numbers as hex; 16 random bytes each when absent. */
  readonly nextSerial?: () => string | Promise<string>;
  /** TSA policy OID; defaults to OID.tsaPolicy. */
  readonly policy?: string;
  /** Claimed accuracy of genTime, in seconds. */
  readonly accuracySeconds?: number;
}

const PKI_STATUS = { granted: 0, rejection: 2 } as const;

function statusInfo(status: number, text?: string, failInfo?: FailInfo): pkijs.PKIStatusInfo {
  const info = new pkijs.PKIStatusInfo({ status });
  if (text) info.statusStrings = [new asn1js.Utf8String({ value: text })];
  if (failInfo !== undefined) {
    const bit = FAIL_INFO[failInfo];
    const bytes = new Uint8Array((bit >> 3) + 1);
    bytes[bit >> 3] = 0x80 >> (bit & 7);
    info.failInfo = new asn1js.BitString({ valueHex: toArrayBuffer(bytes), unusedBits: 7 - (bit & 7) });
  }
  return info;
}

function rejection(reason: string, failInfo: FailInfo): Uint8Array {
  const resp = new pkijs.TimeStampResp({ status: statusInfo(PKI_STATUS.rejection, reason, failInfo) });
  return new Uint8Array(resp.toSchema().toBER());
}

export class TimeStampAuthority {
  readonly #signer: Signer;
  readonly #clock: () => Date;
  readonly #nextSerial: () => string | Promise<string>;
  readonly #policy: string;
  readonly #accuracySeconds: number;
  readonly #certificate: pkijs.Certificate;

  constructor(o: TimeStampAuthorityOptions) {
    this.#signer = o.signer;
    this.#clock = o.clock ?? (() => new Date());
    this.#nextSerial = o.nextSerial ?? randomSerial;
    this.#policy = o.policy ?? OID.tsaPolicy;
    this.#accuracySeconds = o.accuracySeconds ?? 1;
    this.#certificate = new pkijs.Certificate({ schema: parseDer(o.signer.certificate, 'TSA certificate') });
  }

  /** DER TimeStampResp for a DER TimeStampReq (the body of POST /pki/tsa). */
  async respond(requestDer: Uint8Array): Promise<Uint8Array> {
    const parsed = parseTimeStampRequest(requestDer);
    if (!parsed.ok) return rejection(parsed.reason, parsed.failInfo);
    const { request } = parsed;
    if (request.reqPolicy && request.reqPolicy !== this.#policy)
      return rejection('unsupported policy', 'unacceptedPolicy');
    if (request.hasExtensions) return rejection('request extensions are not supported', 'unacceptedExtension');
    let token: pkijs.ContentInfo;
    try {
      token = await this.#token(request);
    } catch {
      return rejection('the time-stamping authority failed', 'systemFailure');
    }
    const resp = new pkijs.TimeStampResp({ status: statusInfo(PKI_STATUS.granted), timeStampToken: token });
    return new Uint8Array(resp.toSchema().toBER());
  }

  /** DER TimeStampToken (ContentInfo) for an already validated request. */
  async token(request: TimeStampRequest): Promise<Uint8Array> {
    return new Uint8Array((await this.#token(request)).toSchema().toBER());
  }

  async #token(request: TimeStampRequest): Promise<pkijs.ContentInfo> {
    const genTime = new Date(Math.floor(this.#clock().getTime() / 1000) * 1000);
    const tstInfo = new pkijs.TSTInfo({
      version: 1,
      policy: this.#policy,
      messageImprint: request.messageImprint,
      serialNumber: integerFromHex(await this.#nextSerial()),
      genTime,
      accuracy: new pkijs.Accuracy({ seconds: this.#accuracySeconds }),
      ...(request.nonce ? { nonce: request.nonce } : {}),
    });
    const eContent = new Uint8Array(tstInfo.toSchema().toBER());
    const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: [
        new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })] }),
        new pkijs.Attribute({
          type: OID.messageDigest,
          values: [new asn1js.OctetString({ valueHex: toArrayBuffer(hash('SHA-256', eContent)) })],
        }),
        new pkijs.Attribute({
          type: OID.signingCertificateV2,
          values: [signingCertificateV2(this.#certificate, this.#signer.certificate)],
        }),
      ],
    });
    const toBeSigned = new Uint8Array(signedAttrs.toSchema().toBER());
    toBeSigned[0] = 0x31; // signed as SET OF, carried as [0] IMPLICIT (RFC 5652 §5.4)
    const signature = await this.#signer.sign(toBeSigned, 'SHA-256');
    const sha256 = new pkijs.AlgorithmIdentifier({
      algorithmId: digestOid('SHA-256'),
      algorithmParams: new asn1js.Null(),
    });
    const encapContentInfo = new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo });
    // Set after construction: pkijs's constructor turns a primitive eContent into a constructed
    // (BER) OCTET STRING, which DER forbids and asn1crypto (endesive) refuses to parse.
    encapContentInfo.eContent = new asn1js.OctetString({ valueHex: toArrayBuffer(eContent) });
    const signedData = new pkijs.SignedData({
      version: 3,
      digestAlgorithms: [sha256],
      encapContentInfo,
      ...(request.certReq ? { certificates: [this.#certificate] } : {}),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({
            issuer: this.#certificate.issuer,
            serialNumber: this.#certificate.serialNumber,
          }),
          digestAlgorithm: sha256,
          signedAttrs,
          signatureAlgorithm: new pkijs.AlgorithmIdentifier({
            algorithmId: OID.rsaEncryption,
            algorithmParams: new asn1js.Null(),
          }),
          signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
        }),
      ],
    });
    return new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  }
}
