// Verification of a detached CMS over non-PDF data (recording manifests, evidence packages):
// signature, signer chain at the time-stamp time (else now), revocation and the time-stamp.
import { certificateFacts } from '../../certs/certificate-facts.js';
import { validateCertificateChain } from '../../certs/chain-validation.js';
import { verifyTimeStampToken } from '../../certs/tsa/verify-timestamp.js';
import { checkSignedData, type SignedDataCheck } from './check-signed-data.js';

export interface VerifyDetachedCmsOptions {
  readonly trustAnchors: readonly Uint8Array[];
  readonly intermediates?: readonly Uint8Array[];
  readonly crls?: readonly Uint8Array[];
  readonly now?: Date;
}

export interface DetachedCmsVerification {
  /** intact && trusted && !revoked (and the time-stamp valid when there is one). */
  readonly valid: boolean;
  readonly intact: boolean;
  readonly trusted: boolean;
  readonly revoked: boolean;
  readonly signer: { readonly subject: string; readonly serial: string; readonly issuer: string } | null;
  readonly signerCertificate: Uint8Array | undefined;
  readonly timestamp: { readonly time: Date; readonly valid: boolean } | null;
  readonly problems: readonly string[];
}

export function verifyDetachedCms(
  content: Uint8Array,
  cmsDer: Uint8Array,
  o: VerifyDetachedCmsOptions,
): DetachedCmsVerification {
  let cms: SignedDataCheck;
  try {
    cms = checkSignedData(cmsDer, [content]);
  } catch (err) {
    const problem = `unreadable CMS signature: ${(err as Error).message}`;
    return {
      valid: false,
      intact: false,
      trusted: false,
      revoked: false,
      signer: null,
      signerCertificate: undefined,
      timestamp: null,
      problems: [problem],
    };
  }
  const problems: string[] = [];
  if (!cms.digestMatches) problems.push('the content does not match the signed digest');
  else if (!cms.signatureValid) problems.push('the CMS signature does not verify');
  let at = o.now ?? new Date();
  let timestamp: DetachedCmsVerification['timestamp'] = null;
  if (cms.timestampToken) {
    const ts = verifyTimeStampToken(cms.timestampToken, {
      data: cms.signatureValue,
      trustAnchors: o.trustAnchors,
      intermediates: o.intermediates,
      crls: o.crls,
    });
    if (ts.time) timestamp = { time: ts.time, valid: ts.valid };
    if (ts.valid && ts.time) at = ts.time;
    else problems.push(...ts.problems.map((p) => `time-stamp: ${p}`));
  }
  if (!cms.signerCertificate) {
    problems.push('the signer certificate is not in the signature');
    return {
      valid: false,
      intact: false,
      trusted: false,
      revoked: false,
      signer: null,
      signerCertificate: undefined,
      timestamp,
      problems,
    };
  }
  const chain = validateCertificateChain({
    leaf: cms.signerCertificate,
    intermediates: [...(o.intermediates ?? []), ...cms.certificates],
    trustAnchors: o.trustAnchors,
    crls: o.crls ?? [],
    at,
  });
  problems.push(...chain.problems);
  const facts = certificateFacts(cms.signerCertificate);
  const intact = cms.signatureValid;
  const valid = intact && chain.trusted && !chain.revoked && (timestamp === null || timestamp.valid);
  return {
    valid,
    intact,
    trusted: chain.trusted,
    revoked: chain.revoked,
    signer: { subject: facts.subject, serial: facts.serial, issuer: facts.issuer },
    signerCertificate: cms.signerCertificate,
    timestamp,
    problems,
  };
}
