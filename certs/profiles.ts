// What each kind of certificate may do: the extensions that set it apart (DESIGN §3).
// Returned in node-forge's extension notation; AKI/SKI/CRL distribution point are added by the issuer.

export type CertificateProfile =
  | { readonly kind: 'root-ca' }
  | { readonly kind: 'site-ca' }
  /** Clerk and official signing certificates. */
  | { readonly kind: 'signer' }
  /** Short-lived applicant certificate bound to one event/case. */
  | { readonly kind: 'event' }
  | { readonly kind: 'tsa' }
  /** Platform seal: recording manifests, audit checkpoints, evidence packages. */
  | { readonly kind: 'seal' }
  | { readonly kind: 'tls'; readonly dnsNames: readonly string[]; readonly ipAddresses: readonly string[] };

export type ForgeExtension = Record<string, unknown> & { name: string };

const SIGNING_KEY_USAGE: ForgeExtension = {
  name: 'keyUsage',
  critical: true,
  digitalSignature: true,
  nonRepudiation: true,
};

const END_ENTITY: ForgeExtension = { name: 'basicConstraints', critical: true, cA: false };

export function isCaProfile(profile: CertificateProfile): boolean {
  return profile.kind === 'root-ca' || profile.kind === 'site-ca';
}

export function profileExtensions(profile: CertificateProfile): ForgeExtension[] {
  switch (profile.kind) {
    case 'root-ca':
      return [
        { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 1 },
        { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      ];
    case 'site-ca':
      return [
        { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
        { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      ];
    case 'signer':
    case 'event':
    case 'seal':
      return [END_ENTITY, SIGNING_KEY_USAGE];
    case 'tsa':
      return [END_ENTITY, SIGNING_KEY_USAGE, { name: 'extKeyUsage', critical: true, timeStamping: true }];
    case 'tls':
      return [
        END_ENTITY,
        { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...profile.dnsNames.map((value) => ({ type: 2, value })),
            ...profile.ipAddresses.map((ip) => ({ type: 7, ip })),
          ],
        },
      ];
  }
}
