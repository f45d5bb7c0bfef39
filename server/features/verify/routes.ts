// The public verification routes: no login (auth `none` in the descriptors, access `public` here),
// counted per client address, the upload bounded by config and held in memory only.
import type { RouteModule } from '../../http/RouteModule.js';
import { readMultipart } from '../../http/multipart.js';
import { lookupHash, verifyUpload } from '../../../protocol/http/verify.js';
import type { RateLimiter } from '../auth/index.js';
import type { PublicVerification } from './PublicVerification.js';

export interface VerifyRoutesDeps {
  readonly verification: PublicVerification;
  readonly limiters: { readonly verify: RateLimiter };
  readonly config: { readonly limits: { readonly verifyUploadBytes: number } };
}

export function verifyRoutes(deps: VerifyRoutesDeps): RouteModule {
  return {
    name: 'verify',
    register(api) {
      api.route({
        ...verifyUpload,
        summary: 'Verify a signed PDF or an evidence zip (public; the upload is not kept)',
        tag: 'verify',
        access: 'public',
        handler: async ({ req, res }) => {
          deps.limiters.verify.consume(req.socket.remoteAddress ?? '?');
          const { file } = await readMultipart(req, res, {
            file: 'file',
            maxBytes: deps.config.limits.verifyUploadBytes,
          });
          try {
            return await deps.verification.verify(file);
          } finally {
            file.fill(0); // multer held it in memory only; nothing of it outlives the request
          }
        },
      });

      api.route({
        ...lookupHash,
        summary: 'Whether the platform holds a document with this hash (the QR on 确认书 and agreements; public)',
        tag: 'verify',
        access: 'public',
        handler: ({ req, params }) => {
          deps.limiters.verify.consume(req.socket.remoteAddress ?? '?');
          return deps.verification.lookup(params.ref);
        },
      });
    },
  };
}
