// Mutated PDFs (bit flips, truncations, splices, deletions, damage at xref/trailer/ByteRange/…)
// through the verifier in process, a sample through `tongban verify`, and the upload API (the
// ceremony agreement). Nothing may crash or take over 2 s; every rejection is a clear error: a
// typed PdfError/SigningError in process, exit 1 (a report) or 2 (one stderr line, no stack) from
// the CLI, a 4xx JSON error from the API. FAULT_FUZZ_COUNT sets the count (300 here; `npm run
// faults` runs 10 000); FAULT_SUMMARY_DIR, when set, receives fuzz-summary.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatePem } from '../../certs/encoding.js';
import { createTestPki, type TestPki } from '../../certs/test-support/test-pki.js';
import { Harness } from '../../bench/support/harness.js';
import { median } from '../../bench/support/results.js';
import { tempDir } from '../../bench/support/temp.js';
import type { HttpClient } from '../../server/test-support/HttpClient.js';
import { signPdf, verifyPdf } from '../../signing/index.js';
import { mutate } from './pdf-mutations.js';
import { agreementPdf, clientAs, tongban, uploadAgreement, within } from './support.js';
import type { VerifyJob, VerifyOutcome } from './verify-worker.js';

const count = Math.max(1, Number(process.env.FAULT_FUZZ_COUNT ?? 300));
/** One in this many mutants also goes through the CLI (a process each). */
const cliEvery = count > 1000 ? 100 : 30;
const limitMs = 2000;
const budgetMs = 60_000 + count * 120;

const dir = tempDir('fault-fuzz-');
let pki: TestPki;
let signed: Uint8Array;
let agreement: Uint8Array;
let h: Harness | undefined;
const summary: Record<string, unknown> = { count };

beforeAll(async () => {
  pki = await createTestPki();
  agreement = await agreementPdf(3);
  const once = await signPdf(agreement, {
    signer: pki.signer(pki.clerk),
    timeStamper: pki.timeStamper,
    level: 'B-T',
    signingTime: new Date(),
  });
  signed = await signPdf(once, {
    signer: pki.signer(pki.official),
    timeStamper: pki.timeStamper,
    level: 'B-T',
    signingTime: new Date(),
  });
  expect(verifyPdf(signed, { trustAnchors: pki.trustAnchors }).valid).toBe(true);
});

afterAll(async () => {
  await h?.stop();
  if (process.env.FAULT_SUMMARY_DIR) {
    mkdirSync(process.env.FAULT_SUMMARY_DIR, { recursive: true });
    writeFileSync(join(process.env.FAULT_SUMMARY_DIR, 'fuzz-summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
  }
  dir.remove();
});

const hangSlackMs = 3000;
const workerFile = fileURLToPath(new URL('./verify-worker.ts', import.meta.url));

/** Runs the job in a child process; resolves undefined when done, or the mutant it was stuck on (then killed). */
function verifyInWorker(
  job: VerifyJob,
  onOutcome: (o: VerifyOutcome) => void,
): Promise<{ i: number; kind: string } | undefined> {
  return new Promise((resolve, reject) => {
    const worker = fork(workerFile, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
    worker.send(job);
    let current: { i: number; kind: string } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let hung: { i: number; kind: string } | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        hung = current;
        worker.kill('SIGKILL');
      }, limitMs + hangSlackMs);
    };
    worker.on('message', (m: { started: number; kind: string } | VerifyOutcome) => {
      if ('started' in m) {
        current = { i: m.started, kind: m.kind };
        arm();
      } else onOutcome(m);
    });
    worker.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    worker.on('exit', () => {
      clearTimeout(timer);
      resolve(hung);
    });
  });
}

describe(`fuzz: ${count} mutated PDFs`, () => {
  it(
    'in-process verifyPdf never crashes or hangs, and every rejection is a typed error',
    async () => {
      const failures: string[] = [];
      const outcomes = { valid: 0, invalid: 0, rejected: 0, crash: 0, hang: 0 };
      let slowest = 0;
      let next = 0;
      // A verification that does not return within the limit is a hang: the thread is terminated and the run goes on after it.
      for (let restarts = 0; next < count && restarts <= 50; restarts++) {
        const stuck = await verifyInWorker(
          { seed: signed, trustAnchors: pki.trustAnchors, from: next, to: count },
          (o) => {
            outcomes[o.result]++;
            slowest = Math.max(slowest, o.ms);
            if (o.result === 'crash') failures.push(`#${o.i} ${o.kind}: ${o.message}`);
            if (o.ms > limitMs) failures.push(`#${o.i} ${o.kind}: took ${Math.round(o.ms)} ms`);
            next = o.i + 1;
          },
        );
        if (!stuck) break;
        outcomes.hang++;
        failures.push(`#${stuck.i} ${stuck.kind}: no result after ${limitMs + hangSlackMs} ms (terminated)`);
        next = stuck.i + 1;
      }
      summary.inProcess = {
        ...outcomes,
        slowestMs: Math.round(slowest),
        failures: failures.slice(0, 50),
        failureCount: failures.length,
      };
      process.stdout.write(`fuzz in-process: ${JSON.stringify(summary.inProcess)}\n`);
      expect(failures).toEqual([]);
    },
    budgetMs,
  );

  it(
    '`tongban verify` on a sample exits 0/1/2 with one clear stderr line, within 2 s of a normal run',
    () => {
      const trust = join(dir.path, 'root.pem');
      writeFileSync(trust, certificatePem(pki.root.certificate));
      const good = join(dir.path, 'good.pdf');
      writeFileSync(good, signed);
      const baseline = median(
        [0, 1, 2].map(() => {
          const t = performance.now();
          expect(tongban(['verify', good, '--trust', trust]).status).toBe(0);
          return performance.now() - t;
        }),
      );
      const failures: string[] = [];
      const codes: Record<string, number> = {};
      let runs = 0;
      for (let i = 0; i < count; i += cliEvery) {
        const { kind, bytes } = mutate(signed, i);
        const file = join(dir.path, `m${i}.pdf`);
        writeFileSync(file, bytes);
        const t = performance.now();
        const r = tongban(['verify', file, '--trust', trust, '--json'], Math.round(baseline + limitMs + 5000));
        const ms = performance.now() - t;
        runs++;
        codes[String(r.status)] = (codes[String(r.status)] ?? 0) + 1;
        const err = r.stderr.trim();
        if (r.status === null || ![0, 1, 2].includes(r.status))
          failures.push(`#${i} ${kind}: status ${r.status} signal ${r.signal}`);
        else if (r.status === 2 && (err === '' || err.includes('\n') || /\n\s+at /.test(r.stderr)))
          failures.push(`#${i} ${kind}: unclear stderr ${JSON.stringify(err.slice(0, 300))}`);
        else if (r.status !== 2) JSON.parse(r.stdout);
        if (ms > baseline + limitMs)
          failures.push(`#${i} ${kind}: ${Math.round(ms)} ms (normal run ${Math.round(baseline)} ms)`);
      }
      summary.cli = {
        runs,
        exitCodes: codes,
        baselineMs: Math.round(baseline),
        failures: failures.slice(0, 50),
        failureCount: failures.length,
      };
      process.stdout.write(`fuzz CLI: ${JSON.stringify(summary.cli)}\n`);
      expect(failures).toEqual([]);
    },
    budgetMs,
  );

  it(
    'the upload API answers 201 or a 4xx JSON error within 2 s, and keeps serving',
    async () => {
      const start = async () => {
        await h?.kill();
        h = await Harness.start({ dataDir: join(dir.path, 'data'), record: false });
        return clientAs(h, 'official.ninghai');
      };
      let host: HttpClient = await start();
      const failures: string[] = [];
      const statuses: Record<string, number> = {};
      let slowest = 0;
      let restarts = 0;
      for (let i = 0; i < count; i++) {
        const { kind, bytes } = mutate(i % 2 ? signed : agreement, i);
        const t = performance.now();
        const r = await within(limitMs + 3000, uploadAgreement(host, bytes), `upload #${i}`).catch((e: Error) => e);
        const ms = performance.now() - t;
        slowest = Math.max(slowest, ms);
        if (r instanceof Error) {
          // The server is stuck on this upload: note it, restart it (a few times at most) and go on.
          failures.push(`#${i} ${kind}: ${r.message}`);
          if (++restarts > 5) break;
          host = await start();
          continue;
        }
        statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
        if (r.status !== 201) {
          const body = (() => {
            try {
              return r.json<{ error?: { code?: string; message?: string } }>();
            } catch {
              return {};
            }
          })();
          if (r.status >= 500 || !body.error?.code || !body.error.message)
            failures.push(`#${i} ${kind}: ${r.status} ${r.text.slice(0, 200)}`);
        }
        if (ms > limitMs) failures.push(`#${i} ${kind}: ${Math.round(ms)} ms`);
      }
      const health = await within(5000, host.get('/healthz'), 'GET /healthz after the uploads').catch((e: Error) => e);
      if (health instanceof Error || health.status !== 200)
        failures.push(
          `server not serving after the uploads: ${health instanceof Error ? health.message : health.status}`,
        );
      const upload = {
        count,
        statuses,
        restarts,
        slowestMs: Math.round(slowest),
        failures: failures.slice(0, 50),
        failureCount: failures.length,
      };
      summary.upload = { ...upload, serverLogTail: h!.stderr.slice(-2000) };
      process.stdout.write(`fuzz upload: ${JSON.stringify(upload)}\n`);
      expect(failures).toEqual([]);
    },
    budgetMs * 2,
  );
});
