// Scripted 意愿确认 (issue 15 §1). Each matter has an ordered script in versions (an admin's edit adds
// a version; old ones stay, and a case's run names the version it used). In the session the
// handling clerk steps through it: each prompt shown (pushed to the applicant's screen) and each
// answer marked (是/否/重复) is written into the recording's hash chain with its offset, so the
// recording proves what was asked and answered when. Confirmation waits for the complete script.
import { EventEmitter } from 'node:events';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { Clock } from '../../kernel/clock.js';
import { ConflictError, NotFoundError } from '../../kernel/errors.js';
import { actorOf, type Principal, type UserPrincipal } from '../../kernel/principal.js';
import type { Database } from '../../kernel/store/Database.js';
import type { CaseService, CaseSummary } from '../cases/index.js';
import type { CatalogService } from '../catalog/index.js';
import type { RecordingService } from '../recording/index.js';
import type { SessionService } from '../sessions/index.js';
import type {
  MatterScript,
  ScriptAnswer,
  ScriptRunState,
  ScriptRunStep,
  ScriptStep,
} from '../../../protocol/http/script.js';
import { caseSessionOf } from './case-session.js';

export interface ScriptServiceDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly catalog: CatalogService;
  readonly cases: CaseService;
  readonly sessions: SessionService;
  readonly recording: RecordingService;
}

interface ScriptRow {
  matterId: string;
  version: number;
  stepsJson: string;
  createdBy: string;
  createdAt: string;
}

interface RunRow {
  sessionId: string;
  matterId: string;
  version: number;
}

interface EventRow {
  step: number;
  kind: 'prompt' | 'answer';
  answer: ScriptAnswer | 'repeat' | null;
  offsetMs: number;
  chainIndex: number;
  /** A prompt that re-asks an answered step: the chain link of the answer it corrects. */
  correctsChainIndex: number | null;
}

const SCRIPT_COLUMNS =
  'matter_id AS matterId, version, steps_json AS stepsJson, created_by AS createdBy, created_at AS createdAt';

const toScript = (r: ScriptRow): MatterScript => ({
  matterId: r.matterId,
  version: r.version,
  steps: JSON.parse(r.stepsJson) as ScriptStep[],
  createdBy: r.createdBy,
  createdAt: r.createdAt,
});

/** The step's text for this case: the placeholders replaced by the applicant, the matter and the sites. */
export function fillPlaceholders(text: string, c: CaseSummary): string {
  const values: Record<string, string> = {
    applicant: c.applicant.name,
    matter: c.matter.name,
    handlingSite: c.handlingSite.name,
    originatingSite: c.originatingSite.name,
  };
  return text.replace(/\{(applicant|matter|handlingSite|originatingSite)\}/g, (_m, key: string) => values[key]!);
}

export class ScriptService extends EventEmitter<{ changed: [ScriptRunState] }> {
  readonly #d: ScriptServiceDeps;

  constructor(deps: ScriptServiceDeps) {
    super();
    this.#d = deps;
  }

  versions(matterId: string): MatterScript[] {
    // Until this store moves to the asynchronous API (issue 14 §1): the catalogue's check, synchronously.
    if (!this.#d.db.sql.prepare('SELECT 1 FROM matters WHERE id = ?').get(matterId))
      throw new NotFoundError(`matter ${matterId}`);
    return (
      this.#d.db.sql
        .prepare(`SELECT ${SCRIPT_COLUMNS} FROM matter_scripts WHERE matter_id = ? ORDER BY version DESC`)
        .all(matterId) as ScriptRow[]
    ).map(toScript);
  }

  current(matterId: string): MatterScript | null {
    return this.versions(matterId)[0] ?? null;
  }

  #version(matterId: string, version: number): MatterScript {
    const row = this.#d.db.sql
      .prepare(`SELECT ${SCRIPT_COLUMNS} FROM matter_scripts WHERE matter_id = ? AND version = ?`)
      .get(matterId, version) as ScriptRow | undefined;
    if (!row) throw new NotFoundError(`script ${matterId} v${version}`);
    return toScript(row);
  }

  /** A new version of the matter's script (admin); runs already started keep theirs. */
  save(by: UserPrincipal | 'system:demo', matterId: string, steps: readonly ScriptStep[]): MatterScript {
    const { db, audit, clock } = this.#d;
    const actor = by === 'system:demo' ? 'system' : actorOf(by);
    return db.transactionSync(() => {
      const version = (this.current(matterId)?.version ?? 0) + 1;
      const createdAt = clock().toISOString();
      db.sql
        .prepare(
          'INSERT INTO matter_scripts (matter_id, version, steps_json, created_by, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(matterId, version, JSON.stringify(steps), actor, createdAt);
      audit.appendSync({
        actor,
        action: 'script.saved',
        target: `matter:${matterId}`,
        details: { version, steps: steps.length },
      });
      return this.#version(matterId, version);
    });
  }

  /** Seeds a first version when the matter has none (idempotent). */
  seed(matterId: string, steps: readonly ScriptStep[]): boolean {
    if (this.current(matterId)) return false;
    this.save('system:demo', matterId, steps);
    return true;
  }

  #run(caseId: string): RunRow | undefined {
    return this.#d.db.sql
      .prepare('SELECT session_id AS sessionId, matter_id AS matterId, version FROM script_runs WHERE case_id = ?')
      .get(caseId) as RunRow | undefined;
  }

  #events(caseId: string): EventRow[] {
    return this.#d.db.sql
      .prepare(
        `SELECT step, kind, answer, offset_ms AS offsetMs, chain_index AS chainIndex,
                corrects_chain_index AS correctsChainIndex
         FROM script_events WHERE case_id = ? ORDER BY id`,
      )
      .all(caseId) as EventRow[];
  }

  /** May the principal see the case's script (staff of either site, auditors, the case's applicant)? */
  async isGuestOfCase(principal: Principal, c: CaseSummary): Promise<boolean> {
    const session = c.sessionId ? await this.#d.sessions.find(c.sessionId) : undefined;
    return principal.kind === 'guest' && !!session && this.#d.sessions.isParticipant(principal, session);
  }

  async state(caseId: string): Promise<ScriptRunState> {
    const c = await this.#d.cases.get(caseId);
    const run = this.#run(caseId);
    const script = run ? this.#version(run.matterId, run.version) : this.current(c.matter.id);
    if (!script)
      return { caseId, sessionId: null, matterId: c.matter.id, version: null, status: 'none', steps: [], prompt: null };
    const events = run ? this.#events(caseId) : [];
    const asks = new Map<number, number>();
    const steps: ScriptRunStep[] = script.steps.map((s, i) => {
      const mine = events.filter((e) => e.step === i + 1);
      const answers = mine.filter((e) => e.kind === 'answer' && e.answer !== 'repeat');
      const last = answers.at(-1);
      // A re-ask after the last answer reopens the step: the answer is awaited again.
      const reopened = !!last && mine.slice(mine.indexOf(last)).some((e) => e.correctsChainIndex !== null);
      const final = reopened ? undefined : last;
      // When the step was last put to the applicant without an answer since (-1: not asked).
      const lastPrompt = mine.findLast((e) => e.kind === 'prompt');
      const asked = final || !lastPrompt ? -1 : events.indexOf(lastPrompt);
      asks.set(i + 1, asked);
      return {
        n: i + 1,
        kind: s.kind,
        text: fillPlaceholders(s.text, c),
        expected: s.expected,
        answer: (final?.answer as ScriptAnswer | undefined) ?? null,
        shown: mine.filter((e) => e.kind === 'prompt').length,
        promptOffsetMs: mine.find((e) => e.kind === 'prompt')?.offsetMs ?? null,
        answerOffsetMs: final?.offsetMs ?? null,
        answerChainIndex: final?.chainIndex ?? null,
        corrected: answers
          .filter((e) => e !== final)
          .map((e) => ({ answer: e.answer as ScriptAnswer, offsetMs: e.offsetMs, chainIndex: e.chainIndex })),
      };
    });
    // The prompt on the applicant's screen: the open step asked last (a re-asked one before the step
    // it interrupted), else the first open step.
    const waiting = steps.filter((s) => s.answer === null);
    const open = waiting.reduce<ScriptRunStep | undefined>(
      (best, s) => (!best || asks.get(s.n)! > asks.get(best.n)! ? s : best),
      undefined,
    );
    return {
      caseId,
      sessionId: run?.sessionId ?? null,
      matterId: script.matterId,
      version: run ? script.version : null,
      status: !run ? 'not_started' : open ? 'running' : 'complete',
      steps,
      prompt: run && open ? { n: open.n, total: steps.length, kind: open.kind, text: open.text } : null,
    };
  }

  /** The handling clerk starts the script with the current version (again: shows the open prompt again). */
  async start(clerk: UserPrincipal, caseId: string): Promise<ScriptRunState> {
    const c = await this.#d.cases.get(caseId);
    const session = await caseSessionOf(this.#d.sessions, clerk, c, 'handling');
    let run = this.#run(caseId);
    if (!run) {
      const script = this.current(c.matter.id);
      if (!script) throw new ConflictError(`matter ${c.matter.id} has no script`, 'script_not_running');
      run = { sessionId: session.id, matterId: script.matterId, version: script.version };
      this.#d.db.sql
        .prepare(
          'INSERT INTO script_runs (case_id, session_id, matter_id, version, started_by, started_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(caseId, session.id, run.matterId, run.version, clerk.userId, this.#d.clock().toISOString());
    }
    const state = await this.state(caseId);
    if (state.prompt) await this.#chain(clerk, c, state, state.prompt.n, 'prompt', null);
    return this.#changed(caseId);
  }

  /** The clerk marks the answer to the open prompt; 重复 shows it again, 是/否 moves to the next open one. */
  async answer(clerk: UserPrincipal, caseId: string, answer: ScriptAnswer | 'repeat'): Promise<ScriptRunState> {
    const c = await this.#d.cases.get(caseId);
    await caseSessionOf(this.#d.sessions, clerk, c, 'handling');
    const state = await this.state(caseId);
    if (!state.prompt) throw new ConflictError(`the script is ${state.status}`, 'script_not_running');
    await this.#chain(clerk, c, state, state.prompt.n, 'answer', answer);
    const after = await this.state(caseId);
    if (after.prompt) await this.#chain(clerk, c, after, after.prompt.n, 'prompt', null);
    return this.#changed(caseId);
  }

  /**
   * The clerk asks an answered step again (a wrongly marked answer): the prompt goes back to the
   * applicant and into the chain naming the answer it corrects; the old answer stays in the chain,
   * the next one marked becomes the step's answer.
   */
  async reask(clerk: UserPrincipal, caseId: string, n: number): Promise<ScriptRunState> {
    const c = await this.#d.cases.get(caseId);
    await caseSessionOf(this.#d.sessions, clerk, c, 'handling');
    const state = await this.state(caseId);
    if (state.status === 'none' || state.status === 'not_started')
      throw new ConflictError(`the script is ${state.status}`, 'script_not_running');
    const step = state.steps[n - 1];
    if (!step) throw new NotFoundError(`script step ${n}`);
    if (step.answerChainIndex === null)
      throw new ConflictError(`step ${n} has no answer to correct`, 'script_step_unanswered');
    await this.#chain(clerk, c, state, n, 'prompt', null, step.answerChainIndex);
    return this.#changed(caseId);
  }

  async #changed(caseId: string): Promise<ScriptRunState> {
    const state = await this.state(caseId);
    this.emit('changed', state);
    return state;
  }

  /** Writes one prompt or answer into the recording chain (the applicant's folder) and the run. */
  async #chain(
    clerk: UserPrincipal,
    c: CaseSummary,
    state: ScriptRunState,
    n: number,
    kind: 'prompt' | 'answer',
    answer: ScriptAnswer | 'repeat' | null,
    corrects: number | null = null,
  ): Promise<void> {
    const { db, audit, clock, recording, sessions } = this.#d;
    const session = (await sessions.openForCase(c.id))!;
    const applicant = await sessions.joinedApplicant(session.id);
    if (!applicant) throw new ConflictError('the applicant is not in the video room', 'applicant_not_present');
    const step = state.steps[n - 1]!;
    const at = clock().toISOString();
    const entry = {
      case: c.id,
      script: { matter: state.matterId, version: state.version ?? this.#run(c.id)!.version },
      step: n,
      of: state.steps.length,
      kind,
      stepKind: step.kind,
      text: step.text,
      expected: step.expected,
      answer,
      ...(corrects === null ? {} : { reasked: true, correctsLink: corrects }),
      by: actorOf(clerk),
      at,
    };
    const link = await recording.appendEntry(
      session.id,
      applicant.participantId,
      `script-${kind}`,
      Buffer.from(JSON.stringify(entry), 'utf8'),
    );
    db.transactionSync(() => {
      db.sql
        .prepare(
          `INSERT INTO script_events (case_id, step, kind, answer, corrects_chain_index, offset_ms, chain_index,
             chain_hash, by_actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(c.id, n, kind, answer, corrects, link.offsetMs, link.index, link.chainHash, actorOf(clerk), at);
      audit.appendSync({
        actor: actorOf(clerk),
        action:
          corrects !== null ? 'script.reasked' : kind === 'prompt' ? 'script.prompt_shown' : 'script.answer_marked',
        target: `case:${c.id}`,
        siteId: clerk.siteId,
        details: {
          step: n,
          answer,
          ...(corrects === null ? {} : { corrects }),
          offsetMs: link.offsetMs,
          chainIndex: link.index,
          chainHash: link.chainHash,
        },
      });
    });
  }

  /**
   * Confirmation's precondition: a matter with a script needs the case's run complete, every
   * answer as expected (an applicant who answers otherwise has not confirmed their will).
   */
  async assertComplete(caseId: string): Promise<ScriptRunState> {
    const state = await this.state(caseId);
    if (state.status === 'none') return state;
    if (state.status !== 'complete') {
      const open = state.steps.filter((s) => s.answer === null).length;
      throw new ConflictError(`the consent script is not complete: ${open} step(s) open`, 'script_incomplete');
    }
    const wrong = state.steps.filter((s) => s.answer !== s.expected).map((s) => s.n);
    if (wrong.length)
      throw new ConflictError(`unexpected answer at step(s) ${wrong.join(', ')}`, 'script_answer_unexpected');
    return state;
  }
}
