// Every route module the app mounts, in order. The flows add their modules here.
import { adminRoutes } from './admin.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { caseRoutes } from './cases.js';
import { catalogRoutes } from './catalog.js';
import { certificateRoutes } from './certificates.js';
import { ceremonyRoutes } from './ceremonies.js';
import { documentRoutes } from './documents.js';
import { healthRoutes } from './health.js';
import { identityRoutes } from './identity.js';
import { pkiRoutes } from './pki.js';
import { recordRoutes } from './records.js';
import type { RouteModule } from './RouteModule.js';
import { sessionRoutes } from './sessions.js';

export const routeModules: readonly RouteModule[] = [
  healthRoutes,
  authRoutes,
  catalogRoutes,
  caseRoutes,
  sessionRoutes,
  identityRoutes,
  documentRoutes,
  ceremonyRoutes,
  recordRoutes,
  adminRoutes,
  certificateRoutes,
  auditRoutes,
  pkiRoutes,
];
