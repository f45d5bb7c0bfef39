// Every feature's HTTP routes and socket events, mounted by the composition root in this order.
import type { RouteModule } from '../http/RouteModule.js';
import type { SocketModule } from '../realtime/RealtimeServer.js';
import { adminRoutes, certificateRoutes } from '../features/admin/index.js';
import { auditRoutes } from '../features/audit/index.js';
import { authRoutes } from '../features/auth/index.js';
import { caseRoutes, caseSockets } from '../features/cases/index.js';
import { catalogRoutes } from '../features/catalog/index.js';
import { ceremonyRoutes, ceremonySockets } from '../features/ceremony/index.js';
import { documentRoutes } from '../features/documents/index.js';
import { evidenceRoutes, evidenceSockets } from '../features/evidence/index.js';
import { healthRoutes } from '../features/health/index.js';
import {
  faceCheckRoutes,
  faceCheckSockets,
  idCheckRoutes,
  identityRoutes,
  materialRoutes,
  scriptRoutes,
  scriptSockets,
} from '../features/identity/index.js';
import { mediaRelaySockets, mediaSockets, serveRelayedMedia } from '../features/media/index.js';
import { pkiRoutes } from '../features/pki/index.js';
import { ratingRoutes } from '../features/ratings/index.js';
import { recordingRoutes } from '../features/recording/index.js';
import { recordRoutes, retentionRoutes } from '../features/records/index.js';
import { sessionRoutes } from '../features/sessions/index.js';
import { verifyRoutes } from '../features/verify/index.js';
import { actorOf } from '../kernel/principal.js';
import type { AppServices } from './create-app.js';

export function routeModules(s: AppServices): RouteModule[] {
  // A media node hosts rooms and records them; browsers and auditors use the API nodes.
  if (s.config.nodeRole === 'media') return [healthRoutes(s)];
  return [
    healthRoutes(s),
    authRoutes(s),
    catalogRoutes(s),
    caseRoutes(s),
    sessionRoutes({ sessions: s.sessions, currentDocumentId: (session) => s.documents.currentIdFor(session) }),
    identityRoutes(s),
    idCheckRoutes(s),
    documentRoutes(s),
    ceremonyRoutes(s),
    recordRoutes(s),
    evidenceRoutes(s),
    recordingRoutes(s),
    adminRoutes(s),
    certificateRoutes(s),
    auditRoutes(s),
    pkiRoutes(s),
    retentionRoutes(s),
    verifyRoutes(s),
    ratingRoutes(s),
    faceCheckRoutes(s),
    scriptRoutes(s),
    materialRoutes(s),
  ];
}

export function socketModules(s: AppServices): SocketModule[] {
  const media = mediaModule(s);
  if (s.config.nodeRole === 'media') return media;
  return [caseSockets(s), ceremonySockets(s), evidenceSockets(s), faceCheckSockets(s), scriptSockets(s), ...media];
}

/** Rooms here (answering relayed requests too in a cluster), or, on an API node, the relay to the media nodes. */
function mediaModule(s: AppServices): SocketModule[] {
  const { media, sessions, audit, nodeRpc: rpc, mediaPlacement: placement, log } = s;
  if (s.config.nodeRole === 'api' && rpc && placement) return [mediaRelaySockets({ rpc, placement, log })];
  if (!media) return [];
  return [
    mediaSockets({
      media,
      canJoin: (principal, sessionId) => sessions.assertCanJoin(principal, sessionId),
      onConsent: (principal, sessionId) =>
        audit.append({
          actor: actorOf(principal),
          action: 'session.recording_consent',
          target: `session:${sessionId}`,
        }),
      onDesk: rpc && ((desk, realtime) => serveRelayedMedia({ rpc, desk, media, realtime, log })),
    }),
  ];
}
