// Audit checkpoints sealed by the platform seal: a detached CMS (CAdES, with a signature timestamp)
// over the checkpoint statement. Verification checks the CMS cryptographically and that it was
// made by the platform seal's certificate (pinned: no other key may seal the audit log).
import { createDetachedCms } from '../../signing/cms/create-cms.js';
import { checkSignedData } from '../../signing/cms/check-signed-data.js';
import type { Signer, TimeStamper } from '../../certs/types.js';
import type { CheckpointSealer } from './AuditCheckpointer.js';

export function platformSealer(opts: { seal: () => Promise<Signer>; timeStamper: () => TimeStamper | undefined }): CheckpointSealer {
  return {
    async seal(statement) {
      const timeStamper = opts.timeStamper();
      return createDetachedCms(statement, await opts.seal(), timeStamper ? { timeStamper } : {});
    },
    async verify(statement, signature) {
      let check;
      try {
        check = checkSignedData(signature, [statement]);
      } catch (err) {
        return { valid: false, problem: `not a CMS signature (${err instanceof Error ? err.message : String(err)})` };
      }
      if (!check.digestMatches) return { valid: false, problem: 'the signed digest does not match the statement' };
      if (!check.signatureValid) return { valid: false, problem: 'the signature value does not verify' };
      const seal = await opts.seal();
      if (!check.signerCertificate || !Buffer.from(check.signerCertificate).equals(Buffer.from(seal.certificate))) {
        return { valid: false, problem: 'not signed by the platform seal' };
      }
      if (!check.timestampToken) return { valid: false, problem: 'no signature timestamp' };
      return { valid: true };
    },
  };
}
