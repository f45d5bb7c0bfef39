// Audit checkpoints sealed by the platform seal: a detached CMS (CAdES, with a signature timestamp)
// over the checkpoint statement. Verification checks the CMS, its chain to the platform root, the
// timestamp, and that the signer is the platform seal (no other certificate may seal the log). The
// separate RFC 3161 token over the statement is checked against the platform's trust anchors.
import { createHash } from 'node:crypto';
import { certificateFacts } from '../../../certs/certificate-facts.js';
import { verifyTimeStampToken } from '../../../certs/tsa/verify-timestamp.js';
import type { Signer, TimeStamper } from '../../../certs/types.js';
import { createDetachedCms } from '../../../signing/cms/create-cms.js';
import { verifyDetachedCms } from '../../../signing/cms/verify-detached-cms.js';
import type { CheckpointSealer } from './AuditCheckpointer.js';

/** The PlatformPki operations sealing and verifying need. */
export interface SealingPki {
  sealSigner(): Promise<Signer>;
  timeStamper(): TimeStamper;
  trustAnchors(): Promise<Uint8Array[]>;
  caCertificates(): Promise<Uint8Array[]>;
  crls(): Promise<{ caId: string; der: Uint8Array }[]>;
}

/** The platform's trust material as the verifiers take it. */
async function trustOf(pki: SealingPki) {
  const [trustAnchors, intermediates, crls] = await Promise.all([pki.trustAnchors(), pki.caCertificates(), pki.crls()]);
  return { trustAnchors, intermediates, crls: crls.map((c) => c.der) };
}

export function platformSealer(pki: SealingPki): CheckpointSealer {
  return {
    async timestamp(statement) {
      return pki.timeStamper().timestamp(createHash('sha256').update(statement).digest(), 'SHA-256');
    },
    async verifyTimestamp(statement, token) {
      const trust = await trustOf(pki);
      try {
        const v = verifyTimeStampToken(token, { data: statement, ...trust });
        if (v.hashMatches === false) return { valid: false, problem: 'the time-stamp covers another statement' };
        if (!v.valid) return { valid: false, problem: v.problems.join('; ') || 'invalid time-stamp token' };
        return { valid: true, time: v.time };
      } catch (err) {
        return { valid: false, problem: `unreadable time-stamp token: ${(err as Error).message}` };
      }
    },
    async seal(statement) {
      return createDetachedCms(statement, await pki.sealSigner(), { timeStamper: pki.timeStamper() });
    },
    async verify(statement, signature) {
      const v = verifyDetachedCms(statement, signature, await trustOf(pki));
      if (!v.valid) return { valid: false, problem: v.problems.join('; ') || 'invalid seal' };
      if (!v.timestamp?.valid) return { valid: false, problem: 'the seal carries no valid timestamp' };
      const seal = certificateFacts((await pki.sealSigner()).certificate).subject;
      if (certificateFacts(v.signerCertificate!).subject !== seal)
        return { valid: false, problem: `sealed by ${v.signer?.subject}, not the platform seal` };
      return { valid: true };
    },
  };
}
