// Verifies a stored PDF against the platform's own trust material (record detail, verification
// route). Offline packages are verified against the verifier's anchors instead (evidence/).
import { verifyPdf } from '../../../signing/verify/verify-pdf.js';
import type { VerificationReport } from '../../../signing/verify/report.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';

export async function verifyWithPlatformTrust(pki: SigningPki, pdf: Uint8Array): Promise<VerificationReport> {
  const [trustAnchors, intermediates, crls] = await Promise.all([pki.trustAnchors(), pki.caCertificates(), pki.crls()]);
  return verifyPdf(pdf, { trustAnchors, intermediates, crls: crls.map((c) => c.der) });
}
