// Re-checks a recording from its files: every segment's SHA-256, the hash chain from h_0 to the
// head, and the manifest's seal. Names the first segment that does not match. Used by
// `tongban record verify` and GET /api/sessions/:id/recording/verification.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { hashFile, recordingDirectory } from './files.js';
import { genesis, nextHead } from './hash-chain.js';
import { manifestName, sealName, sha256Hex, type ManifestSeal } from './manifest.js';
import type { RecordingStore, SegmentRow } from './RecordingStore.js';

export interface BadSegment {
  readonly index: number;
  readonly file: string;
  readonly reason: 'missing' | 'hash_mismatch' | 'chain_mismatch' | 'out_of_order';
}

export interface RecordingVerification {
  readonly sessionId: string;
  readonly status: 'recording' | 'sealed' | 'interrupted' | 'missing';
  /** True when every segment, the chain and (if a seal is configured) the seal check out. */
  readonly valid: boolean;
  readonly segmentCount: number;
  readonly head: string | null;
  readonly firstBadSegment: BadSegment | null;
  /** Problems outside single segments (manifest unreadable or changed, head mismatch). */
  readonly problems: readonly string[];
  readonly seal: { readonly state: 'valid' | 'invalid' | 'missing' | 'not_checked'; readonly reason?: string };
}

const segmentSchema = z.object({
  index: z.number().int().min(0),
  participant: z.string().max(200),
  track: z.string().max(50),
  file: z
    .string()
    .max(500)
    .refine((f) => !f.split(/[\\/]/).includes('..'), 'file outside the recording'),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  startMs: z.number().int(),
  endMs: z.number().int(),
  chainHash: z.string().regex(/^[0-9a-f]{64}$/),
});

const manifestSchema = z
  .object({
    format: z.literal('tongban-recording-manifest/1'),
    sessionId: z.string(),
    status: z.enum(['complete', 'interrupted']),
    chain: z.object({ genesis: z.string(), head: z.string() }).passthrough(),
    segments: z.array(segmentSchema).max(1_000_000),
  })
  .passthrough();

export interface VerifyOptions {
  readonly dataDir: string;
  readonly sessionId: string;
  /** Index of live recordings; without it only sealed recordings (manifest.json) can be checked. */
  readonly store?: RecordingStore;
  /** Absent: the seal is reported as not checked. */
  readonly seal?: ManifestSeal;
}

export async function verifyRecording(o: VerifyOptions): Promise<RecordingVerification> {
  const row = await o.store?.get(o.sessionId);
  const dir = recordingDirectory(o.dataDir, o.sessionId, row);
  const manifestPath = join(dir, manifestName);
  const problems: string[] = [];
  let segments: readonly SegmentRow[];
  let status: RecordingVerification['status'];
  let seal: RecordingVerification['seal'] = { state: 'not_checked' };
  let claimedHead: string | null = null;

  if (existsSync(manifestPath)) {
    const bytes = readFileSync(manifestPath);
    const parsed = manifestSchema.safeParse(parseJson(bytes));
    if (!parsed.success || parsed.data.sessionId !== o.sessionId) {
      return result(
        o.sessionId,
        'sealed',
        [],
        null,
        null,
        ['manifest.json is not a recording manifest of this session'],
        { state: 'invalid' },
      );
    }
    segments = parsed.data.segments;
    status = parsed.data.status === 'complete' ? 'sealed' : 'interrupted';
    claimedHead = parsed.data.chain.head;
    if (parsed.data.chain.genesis !== genesis(o.sessionId))
      problems.push('chain genesis does not belong to this session');
    if (row?.manifestSha256 && row.manifestSha256 !== sha256Hex(bytes))
      problems.push('manifest.json differs from the one written at sealing');
    seal = await checkSeal(o.seal, bytes, join(dir, sealName));
  } else if (row) {
    segments = await o.store!.segments(o.sessionId);
    status = row.status;
    claimedHead = row.head;
    if (row.status !== 'recording') problems.push('manifest.json is missing');
  } else {
    return result(o.sessionId, 'missing', [], null, null, ['no recording for this session'], seal);
  }

  let head = genesis(o.sessionId);
  let firstBad: BadSegment | null = null;
  for (let i = 0; i < segments.length && !firstBad; i++) {
    const s = segments[i]!;
    const path = join(dir, s.file);
    if (s.index !== i) firstBad = { index: i, file: s.file, reason: 'out_of_order' };
    else if (!existsSync(path)) firstBad = { index: i, file: s.file, reason: 'missing' };
    else if ((await hashFile(path)).sha256 !== s.sha256) firstBad = { index: i, file: s.file, reason: 'hash_mismatch' };
    else {
      head = nextHead(head, s.sha256, s);
      if (head !== s.chainHash) firstBad = { index: i, file: s.file, reason: 'chain_mismatch' };
    }
  }
  if (!firstBad && claimedHead !== head) problems.push('the recorded head is not the end of the chain');
  return result(o.sessionId, status, segments, firstBad ? null : head, firstBad, problems, seal);
}

async function checkSeal(
  seal: ManifestSeal | undefined,
  manifest: Buffer,
  sealPath: string,
): Promise<RecordingVerification['seal']> {
  if (!seal) return { state: 'not_checked', reason: 'no platform seal configured' };
  if (!existsSync(sealPath)) return { state: 'missing', reason: `${sealName} not found` };
  try {
    const r = await seal.verify(manifest, readFileSync(sealPath));
    return r.valid ? { state: 'valid' } : { state: 'invalid', reason: r.reason };
  } catch (err) {
    return { state: 'invalid', reason: err instanceof Error ? err.message : String(err) };
  }
}

function result(
  sessionId: string,
  status: RecordingVerification['status'],
  segments: readonly SegmentRow[],
  head: string | null,
  firstBadSegment: BadSegment | null,
  problems: string[],
  seal: RecordingVerification['seal'],
): RecordingVerification {
  const sealOk = seal.state === 'valid' || seal.state === 'not_checked';
  const valid = status !== 'missing' && !firstBadSegment && problems.length === 0 && sealOk;
  return { sessionId, status, valid, segmentCount: segments.length, head, firstBadSegment, problems, seal };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}
