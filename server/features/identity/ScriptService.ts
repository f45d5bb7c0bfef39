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
  'matter_id AS "matterId", version, steps_json AS "stepsJson", created_by AS "createdBy", created_at AS "createdAt"';

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

  async versions(matterId: string): Promise<MatterScript[]> {
    await this.#d.catalog.matter(matterId);
    const rows = await this.#d.db.all<ScriptRow>(
      `SELECT ${SCRIPT_COLUMNS} FROM matter_scripts WHERE matter_id = ? ORDER BY version DESC`,
      [matterId],
    );
    return rows.map(toScript);
  }

  async current(matterId: string): Promise<MatterScript | null> {
    return (await this.versions(matterId))[0] ?? null;
  }

  async #version(matterId: string, version: number): Promise<MatterScript> {
    const row = await this.#d.db.get<ScriptRow>(
      `SELECT ${SCRIPT_COLUMNS} FROM matter_scripts WHERE matter_id = ? AND version = ?`,
      [matterId, version],
    );
    if (!row) throw new NotFoundError(`script ${matterId} v${version}`);
    return toScript(row);
  }

  /** A new version of the matter's script (admin); runs already started keep theirs. */
  async save(by: UserPrincipal | 'system:demo', matterId: string, steps: readonly ScriptStep[]): Promise<MatterScript> {
    const { db, audit, clock } = this.#d;
    const actor = by === 'system:demo' ? 'system' : actorOf(by);
    // The next version number is read and taken in one immediate transaction (two saves at once on
    // two nodes: the second's insert meets the primary key instead of overwriting).
    return db.transaction(async () => {
      const version = ((await this.current(matterId))?.version ?? 0) + 1;
      const createdAt = clock().toISOString();
      await db.run(
        'INSERT INTO matter_scripts (matter_id, version, steps_json, created_by, created_at) VALUES (?, ?, ?, ?, ?)',
        [matterId, version, JSON.stringify(steps), actor, createdAt],
      );
      await audit.append({
        actor,
        action: 'script.saved',
        target: `matter:${matterId}`,
        details: { version, steps: steps.length },
      });
      return this.#version(matterId, version);
    }, 'immediate');
  }

  /** Seeds a first version when the matter has none (idempotent). */
  async seed(matterId: string, steps: readonly ScriptStep[]): Promise<boolean> {
    if (await this.current(matterId)) return false;
    await this.save('system:demo', matterId, steps);
    return true;
  }

  #run(caseId: string): Promise<RunRow | undefined> {
    return this.#d.db.get<RunRow>(
      'SELECT session_id AS "sessionId", matter_id AS "matterId", version FROM script_runs WHERE case_id = ?',
      [caseId],
    );
  }

  #events(caseId: string): Promise<EventRow[]> {
    return this.#d.db.all<EventRow>(
      `SELECT step, kind, answer, offset_ms AS "offsetMs", chain_index AS "chainIndex",
              corrects_chain_index AS "correctsChainIndex"
       FROM script_events WHERE case_id = ? ORDER BY id`,
      [caseId],
    );
  }

  /** May the principal see the case's script (staff of either site, auditors, the case's applicant)? */
  async isGuestOfCase(principal: Principal, c: CaseSummary): Promise<boolean> {
    const session = c.sessionId ? await this.#d.sessions.find(c.sessionId) : undefined;
    return principal.kind === 'guest' && !!session && this.#d.sessions.isParticipant(principal, session);
  }

  async state(caseId: string): Promise<ScriptRunState> {
    return (await this.#stateAndSeen(caseId)).state;
  }

  /** The run's state and how many events it was built from (the compare-and-set of #chain). */
  async #stateAndSeen(caseId: string): Promise<{ state: ScriptRunState; seen: number }> {
    const c = await this.#d.cases.get(caseId);
    const run = await this.#run(caseId);
    const script = run ? await this.#version(run.matterId, run.version) : await this.current(c.matter.id);
    if (!script)
      return {
        state: {
          caseId,
          sessionId: null,
          matterId: c.matter.id,
          version: null,
          status: 'none',
          steps: [],
          prompt: null,
        },
        seen: 0,
      };
    const events = run ? await this.#events(caseId) : [];
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
    const state: ScriptRunState = {
      caseId,
      sessionId: run?.sessionId ?? null,
      matterId: script.matterId,
      version: run ? script.version : null,
      status: !run ? 'not_started' : open ? 'running' : 'complete',
      steps,
      prompt: run && open ? { n: open.n, total: steps.length, kind: open.kind, text: open.text } : null,
    };
    return { state, seen: events.length };
  }

  /** The handling clerk starts the script with the current version (again: shows the open prompt again). */
  async start(clerk: UserPrincipal, caseId: string): Promise<ScriptRunState> {
    const c = await this.#d.cases.get(caseId);
    const session = await caseSessionOf(this.#d.sessions, clerk, c, 'handling');
    if (!(await this.#run(caseId))) {
      const script = await this.current(c.matter.id);
      if (!script) throw new ConflictError(`matter ${c.matter.id} has no script`, 'script_not_running');
      // A run started twice at once (a double click, two nodes): the first insert wins, the version it froze stays.
      await this.#d.db.run(
        `INSERT INTO script_runs (case_id, session_id, matter_id, version, started_by, started_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (case_id) DO NOTHING`,
        [caseId, session.id, script.matterId, script.version, clerk.userId, this.#d.clock().toISOString()],
      );
    }
    const { state, seen } = await this.#stateAndSeen(caseId);
    if (state.prompt) await this.#chain(clerk, c, state, seen, state.prompt.n, 'prompt', null);
    return this.#changed(caseId);
  }

  /** The clerk marks the answer to the open prompt; 重复 shows it again, 是/否 moves to the next open one. */
  async answer(clerk: UserPrincipal, caseId: string, answer: ScriptAnswer | 'repeat'): Promise<ScriptRunState> {
    const c = await this.#d.cases.get(caseId);
    await caseSessionOf(this.#d.sessions, clerk, c, 'handling');
    const { state, seen } = await this.#stateAndSeen(caseId);
    if (!state.prompt) throw new ConflictError(`the script is ${state.status}`, 'script_not_running');
    await this.#chain(clerk, c, state, seen, state.prompt.n, 'answer', answer);
    const after = await this.#stateAndSeen(caseId);
    if (after.state.prompt) await this.#chain(clerk, c, after.state, after.seen, after.state.prompt.n, 'prompt', null);
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
    const { state, seen } = await this.#stateAndSeen(caseId);
    if (state.status === 'none' || state.status === 'not_started')
      throw new ConflictError(`the script is ${state.status}`, 'script_not_running');
    const step = state.steps[n - 1];
    if (!step) throw new NotFoundError(`script step ${n}`);
    if (step.answerChainIndex === null)
      throw new ConflictError(`step ${n} has no answer to correct`, 'script_step_unanswered');
    await this.#chain(clerk, c, state, seen, n, 'prompt', null, step.answerChainIndex);
    return this.#changed(caseId);
  }

  async #changed(caseId: string): Promise<ScriptRunState> {
    const state = await this.state(caseId);
    this.emit('changed', state);
    return state;
  }

  /**
   * Writes one prompt or answer into the recording chain (the applicant's folder) and the run. `seen`
   * is how many events `state` was built from: the event is written only if none came in since (a
   * second click, another node), else 409 — its chain link stays, as every link does, unreferenced.
   */
  async #chain(
    clerk: UserPrincipal,
    c: CaseSummary,
    state: ScriptRunState,
    seen: number,
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
      script: { matter: state.matterId, version: state.version ?? (await this.#run(c.id))!.version },
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
    // The recording chain is written first and outside: its own transaction must not wait on this one.
    await db.transaction(async () => {
      const now = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM script_events WHERE case_id = ?', [c.id]);
      if (Number(now?.n ?? 0) !== seen) throw new ConflictError('the script moved on meanwhile; reload it');
      await db.run(
        `INSERT INTO script_events (case_id, step, kind, answer, corrects_chain_index, offset_ms, chain_index,
           chain_hash, by_actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [c.id, n, kind, answer, corrects, link.offsetMs, link.index, link.chainHash, actorOf(clerk), at],
      );
      await audit.append({
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
    }, 'immediate');
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
