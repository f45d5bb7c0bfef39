// Every route module the app mounts, in order. The flows add their modules here.
import { adminRoutes } from '../features/admin/routes.js';
import { auditRoutes } from '../features/audit/routes.js';
import { authRoutes } from '../features/auth/routes.js';
import { caseRoutes } from '../features/cases/routes.js';
import { catalogRoutes } from '../features/catalog/routes.js';
import { certificateRoutes } from '../features/admin/certificate-routes.js';
import { ceremonyRoutes } from '../features/ceremony/routes.js';
import { documentRoutes } from '../features/documents/routes.js';
import { healthRoutes } from '../features/health/routes.js';
import { identityRoutes } from '../features/identity/routes.js';
import { pkiRoutes } from '../features/pki/routes.js';
import { recordRoutes } from '../features/records/routes.js';
import type { RouteModule } from '../http/RouteModule.js';
import { sessionRoutes } from '../features/sessions/routes.js';

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
