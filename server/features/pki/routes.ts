// The platform PKI's public face: the root certificate, a CRL per CA (named in every certificate's
// CRL distribution point) and the RFC 3161 time-stamping responder.
import { AppError, NotFoundError } from '../../kernel/errors.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { Config } from '../../kernel/config.js';
import type { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import { getCrl, getRootCertificate, timestamp } from '../../../protocol/http/pki.js';

export interface PkiRoutesDeps {
  readonly config: Config;
  readonly pki: PlatformPki;
}

export function pkiRoutes(deps: PkiRoutesDeps): RouteModule {
  return {
    name: 'pki',
    register(api) {
      api.route({
        ...getRootCertificate,
        summary: 'The platform root CA certificate (PEM)',
        tag: 'pki',
        access: 'public',
        handler: async ({ res }) => {
          res.type('application/x-pem-file').send(await deps.pki.rootCertificatePem());
        },
      });

      api.route({
        ...getCrl,
        summary: 'The current CRL of one CA (DER)',
        tag: 'pki',
        access: 'public',
        handler: async ({ res, params }) => {
          const crl = await deps.pki.crl(params.ca);
          if (!crl) throw new NotFoundError(`CRL of ${params.ca}`);
          res.type('application/pkix-crl').send(Buffer.from(crl));
        },
      });

      api.route<'public', Record<string, never>, Record<string, never>, unknown>({
        ...timestamp,
        summary: 'RFC 3161 time-stamp responder',
        tag: 'pki',
        access: 'public',
        rawBodyLimitBytes: deps.config.limits.tsaRequestBytes,
        handler: async ({ res, body }) => {
          if (!Buffer.isBuffer(body) || body.length === 0) {
            throw new AppError('bad_timestamp_request', 'expected an application/timestamp-query body', 415);
          }
          const reply = await deps.pki.handleTimestampRequest(new Uint8Array(body));
          res.type('application/timestamp-reply').send(Buffer.from(reply));
        },
      });
    },
  };
}
