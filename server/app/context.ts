// Everything a route module needs, built once by the composition root (server/app.ts).
import type { AuditLog } from '../kernel/audit/AuditLog.js';
import type { CheckpointSealer } from '../kernel/audit/AuditCheckpointer.js';
import type { LoginSessions } from '../features/auth/LoginSessions.js';
import type { RateLimiter } from '../features/auth/RateLimiter.js';
import type { Config } from '../kernel/config.js';
import type { CaseService } from '../features/cases/CaseService.js';
import type { CatalogService } from '../features/catalog/CatalogService.js';
import type { CeremonyService } from '../features/ceremony/CeremonyStore.js';
import type { IdNumberProtector } from '../features/cases/IdNumberProtector.js';
import type { InvitationService } from '../features/cases/InvitationService.js';
import type { Clock } from '../kernel/principal.js';
import type { SessionService } from '../features/sessions/SessionService.js';
import type { UserService } from '../features/auth/UserService.js';
import type { BlobStore } from '../kernel/store/BlobStore.js';
import type { Database } from '../kernel/store/Database.js';
import type { PlatformPki } from '../kernel/pki/PlatformPki.js';

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
