// Certificate administration for admins: list the signing certificates and each CA's CRL, issue a
// user's certificate with a first PIN, revoke one (the CRL is reissued at once).
import { parseCrl } from '../../../certs/crl.js';
import { actorOf } from '../../kernel/principal.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../kernel/errors.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import type { UserService } from '../auth/index.js';
import type { CatalogService } from '../catalog/index.js';
import {
  issueCertificate,
  listCertificates,
  revokeCertificate,
  type Certificate,
} from '../../../protocol/http/admin.js';

export interface CertificateRoutesDeps {
  readonly audit: AuditLog;
  readonly catalog: CatalogService;
  readonly users: UserService;
  readonly pki: PlatformPki;
}

export function certificateRoutes(deps: CertificateRoutesDeps): RouteModule {
  return {
    name: 'certificates',
    register(api) {
      const describe = (c: ReturnType<typeof deps.pki.certificates>[number]): Certificate => ({
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
        handler: () => ({
          certificates: deps.pki
            .certificates()
            .filter((c) => c.kind === 'user')
            .map(describe),
          crls: deps.pki.crls().map(({ caId, der }) => {
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
        ...issueCertificate,
        summary: "Issue a clerk's or official's signing certificate; the key is encrypted under the given PIN",
        tag: 'admin',
        access: 'admin.write',
        handler: async ({ principal, body }) => {
          const user = deps.users.get(body.userId);
          if ((user.role !== 'clerk' && user.role !== 'official') || !user.siteId) {
            throw new BadRequestError('only clerks and officials of a site sign documents', 'not_a_signer');
          }
          const site = deps.catalog.site(user.siteId);
          await deps.pki.ensureSiteCa({ id: site.id, name: site.name });
          const cert = await deps.pki.issueUserCertificate({
            userId: user.id,
            name: user.displayName,
            role: user.role,
            siteId: site.id,
            pin: body.pin,
          });
          deps.audit.append({
            actor: actorOf(principal),
            action: 'certificate.issued',
            target: `user:${user.id}`,
            siteId: site.id,
            details: { serial: cert.serial },
          });
          return describe(cert);
        },
      });

      api.route({
        ...revokeCertificate,
        summary: "Revoke a user's current signing certificate; the CA's CRL is reissued",
        tag: 'admin',
        access: 'admin.write',
        handler: async ({ principal, params, body }) => {
          const cert = deps.pki.certificates().find((c) => c.serial === params.serial && c.kind === 'user');
          if (!cert?.userId) throw new NotFoundError(`certificate ${params.serial}`);
          if (cert.status !== 'valid' && cert.status !== 'revoked')
            throw new ConflictError(`the certificate is ${cert.status}`, 'not_current');
          await deps.pki.revoke(cert.userId, body.reason);
          deps.audit.append({
            actor: actorOf(principal),
            action: 'certificate.revoked',
            target: `user:${cert.userId}`,
            siteId: cert.siteId,
            details: { serial: cert.serial, reason: body.reason },
          });
          return describe(deps.pki.certificates().find((c) => c.serial === params.serial)!);
        },
      });
    },
  };
}
