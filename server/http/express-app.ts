// The express application: security headers, the cross-site guard, the session principal, JSON
// bodies (bounded), every route module, the OpenAPI document, the SPA (client/dist) and the one error mapper at the end.
import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../kernel/errors.js';
import { ApiRouter } from './ApiRouter.js';
import { authenticate } from './authenticate.js';
import type { AuditLog } from '../kernel/audit/AuditLog.js';
import type { Authenticator } from '../kernel/authenticator.js';
import { errorReply } from './error-reply.js';
import type { RouteModule } from './RouteModule.js';
import { refuseCrossSite } from './same-origin.js';
import { noStore, securityHeaders } from './security-headers.js';

export interface HttpAppOptions {
  readonly authenticator: Authenticator;
  /** The session cookie's name, for the OpenAPI document. */
  readonly sessionCookie: string;
  /** The public URL (a browser's Origin may name it rather than the Host it connected to). */
  readonly publicBaseUrl: () => string | undefined;
  /** Auditors' reads are written here (see ApiRouter). */
  readonly audit: AuditLog;
  readonly jsonBodyBytes: number;
  readonly modules: readonly RouteModule[];
  /** The built SPA; served when the folder exists. */
  readonly clientDir?: string;
  readonly log: (err: unknown) => void;
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(refuseCrossSite(options.publicBaseUrl));
  app.use(authenticate(options.authenticator));
  app.use('/api', noStore, express.json({ limit: options.jsonBodyBytes, strict: true }));

  const api = new ApiRouter(options.audit);
  for (const m of options.modules) m.register(api);
  const openapi = api.openapi({ title: 'Tongban Desk API', version: '0.1.0' }, options.sessionCookie);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(api.router);
  app.use('/api', (req, _res, next) => next(new NotFoundError(`${req.method} ${req.originalUrl.split('?')[0]}`)));

  if (options.clientDir && existsSync(join(options.clientDir, 'index.html'))) {
    const index = join(options.clientDir, 'index.html');
    app.use(express.static(options.clientDir, { index: false, fallthrough: true }));
    // SPA fallback: any other GET/HEAD that wants HTML gets the app shell (client-side routing).
    app.use((req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/pki/') || !req.accepts('html'))
        return next();
      res.sendFile(index);
    });
  }
  app.use((req, _res, next) => next(new NotFoundError(`${req.method} ${req.path}`)));
  app.use(errorReply(options.log));
  return app;
}
