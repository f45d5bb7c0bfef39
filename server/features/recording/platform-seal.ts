// The recording manifest's seal: a detached CMS by the platform seal with a signature timestamp
// (CAdES B-T), checked against the platform's trust anchors, CA certificates and CRLs, and pinned
// to the platform seal's certificate when it is known (no other valid key may seal recordings).
import type { Signer, TimeStamper } from '../../../certs/types.js';
import { createDetachedCms } from '../../../signing/cms/create-cms.js';
import { verifyDetachedCms } from '../../../signing/cms/verify-detached-cms.js';
import type { ManifestSeal } from './manifest.js';

export interface PlatformSealSource {
  readonly sealSigner?: () => Promise<Signer>;
  readonly timeStamper?: () => TimeStamper;
  readonly trustAnchors: () => Promise<Uint8Array[]>;
  readonly caCertificates?: () => Promise<Uint8Array[]>;
  readonly crls?: () => Promise<{ der: Uint8Array }[]>;
}

export function platformManifestSeal(pki: PlatformSealSource): ManifestSeal {
  return {
    async seal(content) {
      if (!pki.sealSigner) throw new Error('this platform seal source cannot sign');
      return createDetachedCms(
        content,
        await pki.sealSigner(),
        pki.timeStamper ? { timeStamper: pki.timeStamper() } : {},
      );
    },
    async verify(content, cms) {
      const [trustAnchors, intermediates, crls] = await Promise.all([
        pki.trustAnchors(),
        pki.caCertificates?.() ?? [],
        pki.crls?.() ?? [],
      ]);
      const r = verifyDetachedCms(content, cms, { trustAnchors, intermediates, crls: crls.map((c) => c.der) });
      if (!r.valid) return { valid: false, reason: r.problems.join('; ') || 'the seal does not verify' };
      if (!r.timestamp?.valid) return { valid: false, reason: 'the seal carries no valid timestamp' };
      if (pki.sealSigner && r.signerCertificate) {
        const expected = (await pki.sealSigner()).certificate;
        if (!Buffer.from(r.signerCertificate).equals(Buffer.from(expected)))
          return { valid: false, reason: 'not sealed by the platform seal' };
      }
      return { valid: true };
    },
  };
}
