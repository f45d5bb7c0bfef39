// Runs verifyPdf over mutants [from, to) in a child process and reports each outcome over IPC, so
// that the fuzz test can kill a verification that never returns and carry on after it.
import { PdfError, SigningError, verifyPdf } from '../../signing/index.js';
import { mutate } from './pdf-mutations.js';

export interface VerifyJob {
  readonly seed: Uint8Array;
  readonly trustAnchors: readonly Uint8Array[];
  readonly from: number;
  readonly to: number;
}

export interface VerifyOutcome {
  readonly i: number;
  readonly kind: string;
  readonly ms: number;
  readonly result: 'valid' | 'invalid' | 'rejected' | 'crash';
  readonly message?: string;
}

process.once('message', (job: VerifyJob) => {
  const seed = new Uint8Array(job.seed);
  const trustAnchors = job.trustAnchors.map((a) => new Uint8Array(a));
  for (let i = job.from; i < job.to; i++) {
    const { kind, bytes } = mutate(seed, i);
    process.send!({ started: i, kind });
    const t = performance.now();
    let outcome: Omit<VerifyOutcome, 'ms'>;
    try {
      outcome = { i, kind, result: verifyPdf(bytes, { trustAnchors }).valid ? 'valid' : 'invalid' };
    } catch (err) {
      const clear =
        (err instanceof PdfError || err instanceof SigningError) &&
        err.message.length > 0 &&
        !err.message.includes('\n');
      outcome = {
        i,
        kind,
        result: clear ? 'rejected' : 'crash',
        message: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : String(err),
      };
    }
    process.send!({ ...outcome, ms: performance.now() - t });
  }
  process.disconnect();
});
