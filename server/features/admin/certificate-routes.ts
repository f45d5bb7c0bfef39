// Certificate administration for admins: list the signing certificates and each CA's CRL, give a
// user a one-time enrolment code with which they choose their own PIN (the certificate is issued
// when they redeem it), revoke one (the CRL is reissued at once).
import { parseCrl } from '../../../certs/crl.js';
import { actorOf } from '../../kernel/principal.js';
import { ConflictError, NotFoundError } from '../../kernel/errors.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import { issueEnrolmentCodeAudited, type PinEnrolments, type UserService } from '../auth/index.js';
import {
  issueEnrolmentCode,
  listCertificates,
  revokeCertificate,
  type Certificate,
} from '../../../protocol/http/admin.js';

export interface CertificateRoutesDeps {
  readonly audit: AuditLog;
  readonly users: UserService;
  readonly pki: PlatformPki;
  readonly enrolments: PinEnrolments;
}

export function certificateRoutes(deps: CertificateRoutesDeps): RouteModule {
  return {
    name: 'certificates',
    register(api) {
      const describe = (c: Awaited<ReturnType<typeof deps.pki.certificates>>[number]): Certificate => ({
        serial: c.serial,
        userId: c.userId,
        subject: c.subject,
        issuer: c.caId,
        kind: c.kind,
        role: c.role,
        siteId: c.siteId,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        status: c.status,
        revoked: c.status === 'revoked',
      });

      api.route({
        ...listCertificates,
        summary: "Users' signing certificates and the current CRL of every CA",
        tag: 'admin',
        access: 'admin.read',
        handler: async () => ({
          certificates: (await deps.pki.certificates()).filter((c) => c.kind === 'user').map(describe),
          crls: (await deps.pki.crls()).map(({ caId, der }) => {
            const crl = parseCrl(der);
            return {
              ca: caId,
              thisUpdate: crl.thisUpdate.toISOString(),
              nextUpdate: crl.nextUpdate?.toISOString() ?? null,
              revokedCount: crl.entries.length,
            };
          }),
        }),
      });

      api.route({
        ...issueEnrolmentCode,
        summary:
          'A one-time code with which a clerk or official chooses their own signing PIN (issue 12 §5): shown once; the admin never sets the PIN',
        tag: 'admin',
        access: 'admin.write',
        handler: ({ principal, params }) => issueEnrolmentCodeAudited(deps, params.id, actorOf(principal)),
      });

      api.route({
        ...revokeCertificate,
        summary: "Revoke a user's current signing certificate; the CA's CRL is reissued",
        tag: 'admin',
        access: 'admin.write',
        handler: async ({ principal, params, body }) => {
          const cert = (await deps.pki.certificates()).find((c) => c.serial === params.serial && c.kind === 'user');
          if (!cert?.userId) throw new NotFoundError(`certificate ${params.serial}`);
          if (cert.status !== 'valid' && cert.status !== 'revoked')
            throw new ConflictError(`the certificate is ${cert.status}`, 'not_current');
          await deps.pki.revoke(cert.userId, body.reason);
          await deps.audit.append({
            actor: actorOf(principal),
            action: 'certificate.revoked',
            target: `user:${cert.userId}`,
            siteId: cert.siteId,
            details: { serial: cert.serial, reason: body.reason },
          });
          return describe((await deps.pki.certificates()).find((c) => c.serial === params.serial)!);
        },
      });
    },
  };
}
