// A `tongban verify` batch on worker threads: each file is checked by one of `jobs` workers (one per
// core by default), and the outcomes come back in the order of the inputs, whatever order they
// finish in, so the table and the --json lines are the same as with --jobs 1. With --jobs 1 (or one
// file) the files are checked one after another in this thread, with no worker started.
// The worker runs this same module: in the bundle, main.ts loads it when it finds itself on a
// worker thread; from the sources, the worker starts at this file.
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { outcomeOf, type Input, type Outcome, type TrustMaterial } from './verify-outcome.js';

interface WorkerSetup {
  readonly tongbanVerifyWorker: true;
  readonly trust: TrustMaterial;
  readonly limit: number;
}

interface Job {
  readonly index: number;
  readonly input: Input;
}

type Reply = { readonly index: number; readonly outcome: Outcome } | { readonly index: number; readonly error: string };

export interface BatchOptions {
  readonly trust: TrustMaterial;
  readonly limit: number;
  readonly jobs: number;
  /** `done` files finished, the last being `file` (called with 0 and the first file before any). */
  progress(done: number, file: string): void;
  /** Each outcome, in the order of the inputs. */
  emit(outcome: Outcome): void;
}

export async function verifyBatch(inputs: readonly Input[], o: BatchOptions): Promise<Outcome[]> {
  const workers = Math.min(o.jobs, inputs.length);
  if (workers <= 1) {
    const outcomes: Outcome[] = [];
    for (const [i, input] of inputs.entries()) {
      o.progress(i, input.file);
      const outcome = await outcomeOf(input, o.trust, o.limit);
      outcomes.push(outcome);
      o.emit(outcome);
    }
    return outcomes;
  }
  return pooled(inputs, o, workers);
}

function pooled(inputs: readonly Input[], o: BatchOptions, size: number): Promise<Outcome[]> {
  const outcomes: (Outcome | undefined)[] = new Array<Outcome | undefined>(inputs.length);
  const setup: WorkerSetup = { tongbanVerifyWorker: true, trust: o.trust, limit: o.limit };
  const entry = fileURLToPath(import.meta.url);
  const pool: Worker[] = [];
  let sent = 0;
  let done = 0;
  let emitted = 0;
  o.progress(0, inputs[0]!.file);
  return new Promise<Outcome[]>((resolve, reject) => {
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(err);
    };
    const feed = (w: Worker) => {
      if (sent < inputs.length) {
        const job: Job = { index: sent, input: inputs[sent]! };
        sent++;
        w.postMessage(job);
      }
    };
    for (let i = 0; i < size; i++) {
      const w = new Worker(entry, { workerData: setup });
      pool.push(w);
      w.on('message', (reply: Reply) => {
        if ('error' in reply) return fail(new Error(reply.error));
        outcomes[reply.index] = reply.outcome;
        done++;
        o.progress(done, reply.outcome.file);
        while (emitted < inputs.length && outcomes[emitted]) o.emit(outcomes[emitted++]!);
        if (done === inputs.length) {
          for (const p of pool) void p.terminate();
          resolve(outcomes as Outcome[]);
        } else feed(w);
      });
      w.on('error', fail);
      w.on('exit', (code) => {
        if (done < inputs.length) fail(new Error(`a verification worker stopped (exit code ${code})`));
      });
      feed(w);
    }
  });
}

function serveWorker(setup: WorkerSetup): void {
  const port = parentPort!;
  port.on('message', (job: Job) => {
    outcomeOf(job.input, setup.trust, setup.limit).then(
      (outcome) => port.postMessage({ index: job.index, outcome } satisfies Reply),
      (err: unknown) =>
        port.postMessage({ index: job.index, error: err instanceof Error ? err.message : String(err) } satisfies Reply),
    );
  });
}

/** True on a thread that verifyBatch started. */
export const isVerifyWorker = (): boolean =>
  !isMainThread && (workerData as Partial<WorkerSetup> | null)?.tongbanVerifyWorker === true;

if (isVerifyWorker()) serveWorker(workerData as WorkerSetup);
