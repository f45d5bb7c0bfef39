// Everything a route module needs, built once by the composition root (server/app.ts).
import type { AuditLog } from '../audit/AuditLog.js';
import type { CheckpointSealer } from '../audit/AuditCheckpointer.js';
import type { LoginSessions } from '../auth/LoginSessions.js';
import type { RateLimiter } from '../auth/RateLimiter.js';
import type { Config } from '../config.js';
import type { CaseService } from '../domain/CaseService.js';
import type { CatalogService } from '../domain/CatalogService.js';
import type { CeremonyService } from '../domain/CeremonyService.js';
import type { IdNumberProtector } from '../domain/IdNumberProtector.js';
import type { InvitationService } from '../domain/InvitationService.js';
import type { Clock } from '../domain/principal.js';
import type { SessionService } from '../domain/SessionService.js';
import type { UserService } from '../domain/UserService.js';
import type { BlobStore } from '../store/BlobStore.js';
import type { Database } from '../store/Database.js';
import type { PlatformPki } from '../pki/PlatformPki.js';

export interface AppContext {
  readonly config: Config;
  readonly clock: Clock;
  readonly db: Database;
  readonly blobs: BlobStore;
  readonly audit: AuditLog;
  /** Seals and verifies audit checkpoints with the platform seal. */
  readonly auditSealer: CheckpointSealer;
  readonly catalog: CatalogService;
  readonly users: UserService;
  readonly cases: CaseService;
  readonly sessions: SessionService;
  readonly invitations: InvitationService;
  readonly ceremonies: CeremonyService;
  readonly ids: IdNumberProtector;
  readonly loginSessions: LoginSessions;
  readonly limiters: { readonly login: RateLimiter; readonly pin: RateLimiter; readonly join: RateLimiter };
  readonly pki: PlatformPki;
  /** The public https URL once listening (invitation links). */
  baseUrl(): string;
}
