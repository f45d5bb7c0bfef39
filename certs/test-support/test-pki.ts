/**
 * Shared test fixture: a small, complete PKI made once per test file (RSA generation is slow: call
 * createTestPki in beforeAll and share the result).
 *
 *   const pki = await createTestPki({ clock: () => new Date('2026-06-01T08:00:00Z') });
 *
 * Hierarchy (all RSA 2048 unless `caBits: 3072`; all valid from clock()-1min for ~1 year):
 *   root                      "Tongban Platform Root CA" (self-signed; caId 'root')
 *   ├─ cas.cixi               "慈溪市政务服务办 CA" (caId 'cixi', pathLen 0)
 *   │   ├─ clerk              CN 张三, OU clerk, UID clerk.cixi
 *   │   └─ applicant          event certificate: CN 王五, serialNumber <ID hash>, UID event-1 (1 day)
 *   ├─ cas.xingren            "兴仁市政务服务中心 CA" (caId 'xingren')
 *   │   └─ official           CN 李四, OU official, UID official.xingren
 *   ├─ tsa                    "Tongban Platform TSA" (extKeyUsage timeStamping, critical)
 *   └─ seal                   "Tongban Platform Seal"
 *
 * Members:
 *   clock                     the clock given (or the real one)
 *   root, cas, clerk, official, applicant, tsa, seal: Credential { certificate (DER), privateKey }
 *   signer(cred)              KeySigner for any of them; chain = issuer(s) up to the root
 *   trustAnchors              [root DER];  intermediates: [cixi CA, xingren CA] DER
 *   chainOf(cred)             DER chain above a credential (issuer first, root last)
 *   tsaAuthority              TimeStampAuthority on the tsa credential and the clock
 *   timeStamper               InProcessTimeStamper over tsaAuthority
 *   crl(caId, entries?, at?)  a CRL of 'root' | 'cixi' | 'xingren' listing `entries` (default none)
 *   crls()                    empty current CRLs of the three CAs
 *   issue(o)                  one more end-entity certificate under a CA (a new 2048-bit key):
 *                             { ca, profile?, subject?, notBefore?, notAfter? } → Credential
 *   serialOf(cred)            serial (lower-case hex) as listed in CRLs
 */
import { crlUrlFor } from '../issue-certificate.js';
import { certificateFacts } from '../certificate-facts.js';
import { createCrl } from '../create-crl.js';
import type { RevokedEntry } from '../crl.js';
import { DAY_MS, issueWithNewKey, validity, type Credential } from '../hierarchy.js';
import { KeySigner } from '../KeySigner.js';
import type { SubjectName } from '../names.js';
import type { CertificateProfile } from '../profiles.js';
import { eventSubject, rootSubject, sealSubject, signerSubject, siteCaSubject, tsaSubject } from '../subjects.js';
import { TimeStampAuthority } from '../tsa/TimeStampAuthority.js';
import { InProcessTimeStamper } from '../tsa/InProcessTimeStamper.js';

export type TestCaId = 'root' | 'cixi' | 'xingren';

export interface TestPkiOptions {
  readonly clock?: () => Date;
  readonly baseUrl?: string;
  readonly caBits?: 2048 | 3072;
}

export interface TestPki {
  readonly clock: () => Date;
  readonly root: Credential;
  readonly cas: { readonly cixi: Credential; readonly xingren: Credential };
  readonly clerk: Credential;
  readonly official: Credential;
  readonly applicant: Credential;
  readonly tsa: Credential;
  readonly seal: Credential;
  readonly trustAnchors: readonly Uint8Array[];
  readonly intermediates: readonly Uint8Array[];
  readonly tsaAuthority: TimeStampAuthority;
  readonly timeStamper: InProcessTimeStamper;
  chainOf(cred: Credential): Uint8Array[];
  signer(cred: Credential): KeySigner;
  crl(caId: TestCaId, entries?: readonly RevokedEntry[], at?: Date): Uint8Array;
  crls(): Uint8Array[];
  issue(o: {
    ca: TestCaId;
    profile?: CertificateProfile;
    subject?: SubjectName;
    notBefore?: Date;
    notAfter?: Date;
  }): Promise<Credential>;
  serialOf(cred: Credential): string;
}

export async function createTestPki(o: TestPkiOptions = {}): Promise<TestPki> {
  const clock = o.clock ?? (() => new Date());
  const baseUrl = o.baseUrl ?? 'http://127.0.0.1:8443';
  const caBits = o.caBits ?? 2048;
  const year = validity(clock(), 365 * DAY_MS);
  const root = await issueWithNewKey({
    profile: { kind: 'root-ca' },
    subject: rootSubject(),
    keyBits: caBits,
    ...validity(clock(), 3650 * DAY_MS),
  });
  const under = (
    issuer: Credential,
    caId: TestCaId,
    profile: CertificateProfile,
    subject: SubjectName,
    keyBits: 2048 | 3072 = 2048,
  ) => issueWithNewKey({ profile, subject, issuer, keyBits, crlUrl: crlUrlFor(baseUrl, caId), ...year });
  const cixi = await under(root, 'root', { kind: 'site-ca' }, siteCaSubject('慈溪市政务服务办'), caBits);
  const xingren = await under(root, 'root', { kind: 'site-ca' }, siteCaSubject('兴仁市政务服务中心'), caBits);
  const clerk = await under(
    cixi,
    'cixi',
    { kind: 'signer' },
    signerSubject({ name: '张三', siteName: '慈溪市政务服务办', role: 'clerk', userId: 'clerk.cixi' }),
  );
  const official = await under(
    xingren,
    'xingren',
    { kind: 'signer' },
    signerSubject({ name: '李四', siteName: '兴仁市政务服务中心', role: 'official', userId: 'official.xingren' }),
  );
  const applicant = await issueWithNewKey({
    profile: { kind: 'event' },
    subject: eventSubject({
      name: '王五',
      siteName: '慈溪市政务服务办',
      caseRef: 'a3f1c2d4e5b6a7980123456789abcdef',
      eventId: 'event-1',
    }),
    issuer: cixi,
    keyBits: 2048,
    crlUrl: crlUrlFor(baseUrl, 'cixi'),
    ...validity(clock(), DAY_MS),
  });
  const tsa = await under(root, 'root', { kind: 'tsa' }, tsaSubject());
  const seal = await under(root, 'root', { kind: 'seal' }, sealSubject());

  const caById: Record<TestCaId, Credential> = { root, cixi, xingren };
  const issuerOf = (cred: Credential): Credential | undefined => {
    const issuer = certificateFacts(cred.certificate).issuerDer;
    return Object.values(caById).find(
      (ca) => ca !== cred && Buffer.from(certificateFacts(ca.certificate).subjectDer).equals(Buffer.from(issuer)),
    );
  };
  const chainOf = (cred: Credential): Uint8Array[] => {
    const issuer = issuerOf(cred);
    return issuer ? [issuer.certificate, ...chainOf(issuer)] : [];
  };
  const signer = (cred: Credential) => new KeySigner(cred.privateKey, cred.certificate, chainOf(cred));
  const tsaAuthority = new TimeStampAuthority({ signer: signer(tsa), clock });
  const crl = (caId: TestCaId, entries: readonly RevokedEntry[] = [], at = clock()) =>
    createCrl({
      issuerCertificate: caById[caId].certificate,
      issuerKey: caById[caId].privateKey,
      thisUpdate: at,
      nextUpdate: new Date(at.getTime() + 7 * DAY_MS),
      crlNumber: BigInt(entries.length + 1),
      entries,
    });
  return {
    clock,
    root,
    cas: { cixi, xingren },
    clerk,
    official,
    applicant,
    tsa,
    seal,
    trustAnchors: [root.certificate],
    intermediates: [cixi.certificate, xingren.certificate],
    tsaAuthority,
    timeStamper: new InProcessTimeStamper(tsaAuthority),
    chainOf,
    signer,
    crl,
    crls: () => (['root', 'cixi', 'xingren'] as const).map((id) => crl(id)),
    issue: async (x) =>
      issueWithNewKey({
        profile: x.profile ?? { kind: 'signer' },
        subject: x.subject ?? signerSubject({ name: '测试', siteName: 'test', role: 'clerk', userId: 'extra' }),
        issuer: caById[x.ca],
        keyBits: 2048,
        crlUrl: crlUrlFor(baseUrl, x.ca),
        notBefore: x.notBefore ?? year.notBefore,
        notAfter: x.notAfter ?? year.notAfter,
      }),
    serialOf: (cred) => certificateFacts(cred.certificate).serial,
  };
}
