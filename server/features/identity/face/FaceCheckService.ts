// Face match and liveness as advice (issue 15 §3). The handling clerk asks; the server works only on
// what it recorded itself: the face and ID snapshots (frames of the applicant's recorded video) and,
// for liveness, frames it takes from the same recording while the applicant's screen shows a prompt.
// Each result (score, threshold, label, model and version) is chained into the recording as a JSON
// link, stored and audited; the clerk's decision on it is a separate row, link and audit entry.
// The system never decides: nothing here gates the identity confirmation.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { FaceCheck, FaceCheckDecision, LivenessPrompt } from '../../../../protocol/http/face-check.js';
import type { LivenessPromptEvent } from '../../../../protocol/socket.js';
import type { AuditLog } from '../../../kernel/audit/AuditLog.js';
import type { Clock } from '../../../kernel/clock.js';
import { AppError, ConflictError, NotFoundError } from '../../../kernel/errors.js';
import { actorOf, type UserPrincipal } from '../../../kernel/principal.js';
import type { BlobStore } from '../../../kernel/store/BlobStore.js';
import type { Database } from '../../../kernel/store/Database.js';
import type { RecordingService } from '../../recording/index.js';
import type { Session, SessionService } from '../../sessions/index.js';
import type { IdentityService } from '../IdentityService.js';
import type { FaceEngine, FaceModel, FaceReading } from './FaceEngine.js';
import type { FaceCheckStore } from './FaceCheckStore.js';
import { degrees, judgeLiveness, matchLabel, MATCH_THRESHOLD, round } from './judge.js';

export interface FaceCheckServiceDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly blobs: BlobStore;
  readonly sessions: SessionService;
  readonly recording: RecordingService;
  readonly identity: IdentityService;
  readonly engine: FaceEngine;
  readonly store: FaceCheckStore;
  /** Liveness timing: time to react to the prompt, then frames taken `spacingMs` apart. */
  readonly liveness?: { readonly leadMs?: number; readonly frames?: number; readonly spacingMs?: number };
}

type Events = { prompt: [LivenessPromptEvent] };

const reading = (r: FaceReading) => ({
  found: r.found,
  confidence: round(r.confidence),
  yawDeg: degrees(r.yaw),
  eyeOpen: r.eyeOpen === null ? null : round(r.eyeOpen, 3),
});

export class FaceCheckService extends EventEmitter<Events> {
  readonly #d: FaceCheckServiceDeps;
  /** Cases with a check running: one at a time per case (a liveness check takes seconds). */
  readonly #busy = new Set<string>();

  constructor(deps: FaceCheckServiceDeps) {
    super();
    this.#d = deps;
  }

  list(caseId: string): Promise<FaceCheck[]> {
    return this.#d.store.forCase(caseId);
  }

  /** Compares the session's latest face snapshot with the portrait on its latest ID snapshot. */
  async match(clerk: UserPrincipal, caseId: string): Promise<FaceCheck> {
    const session = await this.#d.identity.handlingSession(clerk, caseId);
    const snapshots = await this.#d.identity.snapshots(caseId);
    const latest = (kind: 'face' | 'id') =>
      snapshots.filter((s) => s.sessionId === session.id && s.kind === kind && s.chainIndex !== null).at(-1);
    const face = latest('face');
    const id = latest('id');
    if (!face || !id)
      throw new ConflictError('take a face and an ID snapshot in this session first', 'face_snapshots_missing');
    return this.#exclusive(caseId, async () => {
      const [model, faceRead, idRead] = await this.#engine(async (e) => [
        await e.model(),
        await e.read(await this.#d.blobs.get(face.sha256)),
        await e.read(await this.#d.blobs.get(id.sha256)),
      ]);
      const similarity =
        faceRead.embedding && idRead.embedding
          ? round(await this.#d.engine.similarity(faceRead.embedding, idRead.embedding))
          : null;
      const participant = (await this.#d.sessions.joinedApplicant(session.id))?.participantId ?? `user:${clerk.userId}`;
      return this.#record(clerk, caseId, session, participant, model, {
        kind: 'match',
        prompt: null,
        label: matchLabel(faceRead, idRead, similarity),
        score: similarity,
        threshold: MATCH_THRESHOLD,
        analysisMs: faceRead.ms + idRead.ms,
        details: { faceSnapshot: face.id, idSnapshot: id.id, face: reading(faceRead), id: reading(idRead) },
      });
    });
  }

  /**
   * Shows the prompt on the applicant's screen, takes frames from the applicant's recorded video
   * over the next seconds (each frame chained, like a snapshot) and measures the head turn or blink.
   */
  async liveness(clerk: UserPrincipal, caseId: string, prompt: LivenessPrompt): Promise<FaceCheck> {
    const session = await this.#d.identity.handlingSession(clerk, caseId);
    const applicant = await this.#d.identity.presentApplicant(session);
    const { leadMs = 1000, frames = 6, spacingMs = 500 } = this.#d.liveness ?? {};
    return this.#exclusive(caseId, async () => {
      const model = await this.#engine((e) => e.model());
      const durationMs = leadMs + frames * spacingMs;
      this.emit('prompt', { sessionId: session.id, prompt, durationMs });
      let captured;
      try {
        // Each capture names the instant it was asked at; they run side by side, each waiting for the
        // segment that covers its instant to close.
        captured = await Promise.all(
          Array.from({ length: frames }, (_, i) =>
            delay(leadMs + i * spacingMs).then(() =>
              this.#d.recording.captureFrame(
                session.id,
                applicant.participantId,
                `liveness-${prompt}-${i + 1}`,
                'instant',
              ),
            ),
          ),
        );
      } finally {
        this.emit('prompt', { sessionId: session.id, prompt: null, durationMs: 0 });
      }
      const readings = await this.#engine(async (e) => {
        const out: FaceReading[] = [];
        for (const frame of captured) out.push(await e.read(frame.image));
        return out;
      });
      const judged = judgeLiveness(prompt, readings);
      return this.#record(clerk, caseId, session, applicant.participantId, model, {
        kind: 'liveness',
        prompt,
        label: judged.label,
        score: judged.measured,
        threshold: judged.threshold,
        analysisMs: readings.reduce((sum, r) => sum + r.ms, 0),
        details: {
          frames: readings.map((r, i) => ({
            ...reading(r),
            offsetMs: captured[i]!.offsetMs,
            chainIndex: captured[i]!.index,
          })),
          measured: judged.measured,
        },
      });
    });
  }

  /** The handling clerk's own judgement of one result: recorded beside it, never instead of it. */
  async decide(clerk: UserPrincipal, caseId: string, checkId: string, decision: FaceCheckDecision): Promise<FaceCheck> {
    const session = await this.#d.identity.handlingSession(clerk, caseId);
    const check = await this.#d.store.get(caseId, checkId);
    if (!check || check.sessionId !== session.id) throw new NotFoundError('face check');
    if (check.decision) throw new ConflictError('this result has already been decided', 'face_check_decided');
    const decidedAt = this.#d.clock().toISOString();
    const participant = (await this.#d.sessions.joinedApplicant(session.id))?.participantId ?? `user:${clerk.userId}`;
    const note = { type: 'face-check-decision', check: checkId, decision, decidedBy: clerk.userId, decidedAt };
    const link = await this.#d.recording.appendEntry(session.id, participant, 'face-decision', json(note));
    // One decision per check, whoever decides first on whichever node: the insert itself refuses a second.
    await this.#d.db.transaction(async () => {
      const first = await this.#d.store.decide(checkId, {
        decision,
        decidedBy: clerk.userId,
        decidedAt,
        chainIndex: link.index,
        chainHash: link.chainHash,
      });
      if (!first) throw new ConflictError('this result has already been decided', 'face_check_decided');
      await this.#d.audit.append({
        actor: actorOf(clerk),
        action: 'face_check.decided',
        target: `case:${caseId}`,
        siteId: clerk.siteId,
        details: { check: checkId, kind: check.kind, label: check.label, decision, chainIndex: link.index },
      });
    }, 'immediate');
    return (await this.#d.store.get(caseId, checkId))!;
  }

  async #record(
    clerk: UserPrincipal,
    caseId: string,
    session: Session,
    participant: string,
    model: FaceModel,
    result: Pick<FaceCheck, 'kind' | 'prompt' | 'label' | 'score' | 'threshold' | 'analysisMs' | 'details'>,
  ): Promise<FaceCheck> {
    const id = randomUUID();
    const checkedAt = this.#d.clock().toISOString();
    const base = { id, caseId, sessionId: session.id, ...result };
    const advice = { ...base, model: model.name, modelVersion: model.version, checkedBy: clerk.userId, checkedAt };
    const link = await this.#d.recording.appendEntry(session.id, participant, `face-${result.kind}`, json(advice));
    const check = { ...advice, offsetMs: link.offsetMs, chainIndex: link.index, chainHash: link.chainHash };
    await this.#d.db.transaction(async () => {
      await this.#d.store.insert(check);
      await this.#d.audit.append({
        actor: actorOf(clerk),
        action: 'face_check.advised',
        target: `case:${check.caseId}`,
        siteId: clerk.siteId,
        details: {
          check: id,
          kind: check.kind,
          prompt: check.prompt,
          label: check.label,
          score: check.score,
          threshold: check.threshold,
          model: check.model,
          chainIndex: link.index,
          chainHash: link.chainHash,
        },
      });
    });
    return { ...check, decision: null };
  }

  async #exclusive<T>(caseId: string, run: () => Promise<T>): Promise<T> {
    if (this.#busy.has(caseId))
      throw new ConflictError('another face check of this case is running', 'face_check_busy');
    this.#busy.add(caseId);
    try {
      return await run();
    } finally {
      this.#busy.delete(caseId);
    }
  }

  /** Model failures (loading, decoding) are the engine's, not the request's. */
  async #engine<T>(use: (engine: FaceEngine) => Promise<T>): Promise<T> {
    try {
      return await use(this.#d.engine);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError(
        'face_engine_unavailable',
        `face model: ${err instanceof Error ? err.message : String(err)}`,
        503,
      );
    }
  }
}

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
