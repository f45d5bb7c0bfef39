// Issue 16 §2 with a real recorded session (headless participants, the real recorder and composite):
// the record's timeline marks and their offsets into the composite, checked against the instants
// the test saw (joins, signatures), the snapshots' chain links and the picture itself; and the
// redacted export, checked by its pixels: inside the ID window the applicant's tile is blurred,
// outside it and in the other tiles the picture is as in the composite.
// Needs the mediasoup worker: `source scripts/worker-env.sh`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { timelineMarkKinds, type RecordTimeline } from '../../../protocol/http/records.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { closeLiveRoom, stopSyntheticMedia } from '../../test-support/live-room.js';
import { recordedRecord, type RecordedRecord } from '../../test-support/recorded-record.js';
import { TestServer } from '../../test-support/TestServer.js';
import { ID_WINDOW_MARGIN_MS } from './index.js';

let offsetMs = 0;
let server: TestServer;
let auditor: HttpClient;
let cixi: HttpClient;
let run: RecordedRecord;
let timeline: RecordTimeline;
let composite: string;
let layout: { tile: { width: number; height: number }; tiles: { participant: string; x: number; y: number }[] };

beforeAll(async () => {
  server = await TestServer.start({
    seed: true,
    media: { segmentSeconds: 2 },
    clock: () => new Date(Date.now() + offsetMs),
  });
  [auditor, cixi] = await Promise.all([server.login('auditor'), server.login('clerk.cixi')]);
  run = await recordedRecord(server, (u) => server.login(u), { name: '孙八', idNumber: '522501199404041234' });
  composite = (await server.app.services.recording.compositeFile(run.sessionId))!;
  layout = JSON.parse(readFileSync(join(composite, '..', 'composite-layout.json'), 'utf8'));
}, 420_000);

afterAll(async () => {
  await closeLiveRoom(run?.bots ?? []);
  stopSyntheticMedia();
  await server?.dispose();
});

/** The luma plane of the frame shown at `sec`, with the video's width. */
function frameAt(file: string, sec: number): { gray: Buffer; width: number } {
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width', '-of', 'csv=p=0', file]);
  const width = Number(probe.stdout.toString().trim().split('\n')[0]);
  const out = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-ss', sec.toFixed(3), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { maxBuffer: 64 << 20 },
  );
  if (out.status !== 0 || out.stdout.length === 0) throw new Error(`no frame at ${sec}s: ${out.stderr}`);
  return { gray: out.stdout, width };
}

type Box = { x: number; y: number; width: number; height: number };

/**
 * Edge energy across the picture: the mean absolute difference of horizontally adjacent pixels of a
 * box (the synthetic camera is a vertical gradient with a moving vertical bar: its edges are across).
 */
function edgeEnergy(f: { gray: Buffer; width: number }, b: Box): number {
  let sum = 0;
  let n = 0;
  for (let y = b.y + 2; y < b.y + b.height - 2; y++)
    for (let x = b.x + 2; x < b.x + b.width - 3; x++) {
      sum += Math.abs(f.gray[y * f.width + x + 1]! - f.gray[y * f.width + x]!);
      n++;
    }
  return sum / n;
}

/** Frames of a box of the video every 0.2 s from `fromSec` for `seconds` (luma). */
function framesOf(file: string, fromSec: number, seconds: number, b: Box): Buffer[] {
  const out = spawnSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-i', file, '-ss', Math.max(0, fromSec).toFixed(3), '-t', String(seconds)],
      ...['-vf', `fps=5,crop=${b.width}:${b.height}:${b.x}:${b.y}`, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    ],
    { maxBuffer: 256 << 20 },
  );
  const size = b.width * b.height;
  return Array.from({ length: Math.floor(out.stdout.length / size) }, (_, i) =>
    out.stdout.subarray(i * size, (i + 1) * size),
  );
}

const meanAbsDiff = (a: Buffer, b: Buffer) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

const tileOf = (participant: string): Box => {
  const t = layout.tiles.find((x) => x.participant === participant);
  if (!t) throw new Error(`no tile of ${participant}`);
  return { x: t.x, y: t.y, ...layout.tile };
};

describe('the auditor timeline (issue 16 §2)', () => {
  test('marks: consent, joins, snapshots and signatures at their offsets from the composite start', async () => {
    const res = await auditor.get(`/api/records/${run.recordId}/timeline`);
    expect(res.status, res.text).toBe(200);
    timeline = res.json();
    const rec = (await auditor.get(`/api/sessions/${run.sessionId}/recording`)).json();
    const start = Date.parse(rec.startedAt);
    expect(timeline).toMatchObject({ recordId: run.recordId, sessionId: run.sessionId, startedAt: rec.startedAt });
    const of = (kind: string) => timeline.marks.filter((m) => m.kind === kind);
    console.log(
      'timeline:',
      timeline.marks.map((m) => `${m.kind}@${m.offsetMs}${m.who ? ` ${m.who}` : ''}`).join(', '),
      `duration ${timeline.durationMs} ms`,
    );
    // Every mark's offset is its wall-clock instant minus the recording's start.
    for (const m of timeline.marks) expect(m.offsetMs).toBe(Date.parse(m.at) - start);
    // Joins and consents: the three participants, at instants the test saw them join.
    for (const kind of ['join', 'consent']) {
      expect(
        of(kind)
          .map((m) => m.role)
          .sort(),
      ).toEqual(['applicant', 'handling_clerk', 'originating_clerk']);
      for (const m of of(kind)) {
        expect(Date.parse(m.at)).toBeGreaterThanOrEqual(run.joined.from);
        expect(Date.parse(m.at)).toBeLessThanOrEqual(run.joined.to);
      }
    }
    expect(of('join').find((m) => m.role === 'applicant')?.who).toBe('孙八');
    // Snapshots: the offsets the snapshot API answered, which are those of their chain links.
    const links = rec.segments.filter((s: { track: string }) => s.track.startsWith('snapshot:'));
    expect(of('snapshot_face').map((m) => m.offsetMs)).toEqual([run.snapshots.face.offsetMs]);
    expect(of('snapshot_id').map((m) => m.offsetMs)).toEqual([run.snapshots.id.offsetMs]);
    for (const m of [...of('snapshot_face'), ...of('snapshot_id')]) {
      const link = links.find((l: { index: number }) => `chain link #${l.index}` === m.detail);
      expect(link).toMatchObject({ startMs: m.offsetMs, track: `snapshot:${m.kind.slice('snapshot_'.length)}` });
    }
    // Signatures: applicant, witness, confirmer in order, while the test was signing, after the ID snapshot.
    expect(of('signature').map((m) => m.role)).toEqual(['applicant', 'witness', 'confirmer']);
    for (const m of of('signature')) {
      expect(Date.parse(m.at)).toBeGreaterThanOrEqual(run.signed.from);
      expect(Date.parse(m.at)).toBeLessThanOrEqual(run.signed.to);
      expect(m.offsetMs).toBeGreaterThan(run.snapshots.id.offsetMs);
      expect(m.detail).toMatch(/^身份核验确认书/);
    }
    // The 意愿确认 script (issue 15), run after the ID snapshot: the seeded script's four prompts and
    // four answers, each at its chain link's offset; no material was added.
    expect(timelineMarkKinds).toEqual(expect.arrayContaining(['script_prompt', 'script_answer', 'material']));
    const entries = rec.segments.filter((s: { track: string }) => s.track.startsWith('entry:script-'));
    for (const kind of ['script_prompt', 'script_answer']) {
      expect(of(kind)).toHaveLength(4);
      for (const m of of(kind)) {
        const link = entries.find((l: { index: number }) => `chain link #${l.index}` === m.detail);
        expect(link).toMatchObject({ startMs: m.offsetMs, track: `entry:${kind.replace('_', '-')}` });
        expect(m.offsetMs).toBeGreaterThan(run.snapshots.id.offsetMs);
      }
    }
    expect(of('material')).toEqual([]);
    expect(timeline.durationMs).toBeGreaterThan(run.snapshots.id.offsetMs + ID_WINDOW_MARGIN_MS);
    // The read is audited as personal data.
    const reads = (await auditor.get(`/api/audit?action=data.read&actor=user:auditor&limit=200`)).json();
    expect(
      reads.entries.some(
        (e: { target: string; details: { what?: string } }) =>
          e.target === `record:${run.recordId}` && e.details.what === 'record timeline (participants, times)',
      ),
    ).toBe(true);
  });

  test("offset 0 is the composite's start: each snapshot's frame shows in the composite at the snapshot's offset", async () => {
    const tile = tileOf(run.applicantPeer);
    for (const kind of ['face', 'id'] as const) {
      const snap = run.snapshots[kind];
      const jpeg = (await cixi.get(`/api/cases/${run.caseId}/snapshots/${snap.id}`)).body;
      const image = spawnSync('ffmpeg', ['-v', 'error', '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
        input: jpeg,
      }).stdout;
      // The composite frame most like the snapshot, within 3 s either side of its offset.
      const from = snap.offsetMs / 1000 - 3;
      const frames = framesOf(composite, from, 6, tile);
      const diffs = frames.map((f) => meanAbsDiff(f, image));
      const best = diffs.indexOf(Math.min(...diffs));
      const lagMs = Math.round((Math.max(0, from) + best * 0.2) * 1000 - snap.offsetMs);
      console.log(
        `${kind} snapshot at +${snap.offsetMs} ms: best composite match ${lagMs} ms away (diff ${diffs[best]?.toFixed(1)})`,
      );
      expect(frames.length).toBeGreaterThan(20);
      expect(Math.abs(lagMs)).toBeLessThanOrEqual(1_500);
    }
  });

  test('refusals: clerks may not read the timeline (403); unknown record 404; malformed id 400', async () => {
    const clerk = await cixi.get(`/api/records/${run.recordId}/timeline`);
    expect(clerk.status).toBe(403);
    expect(clerk.json().error.code).toBe('forbidden');
    const unknown = await auditor.get('/api/records/00000000-0000-4000-8000-000000000000/timeline');
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    const bad = await auditor.get('/api/records/nope/timeline');
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
  });
});

describe('redacted export (issue 16 §2)', () => {
  let job: { id: string; sha256: string | null; status: string; kind: string };

  test('refusals: clerks 403, bad windows 400, no finished composite 409 composite_not_ready', async () => {
    const path = `/api/records/${run.recordId}/redacted-video`;
    const clerk = await cixi.post(path, {});
    expect(clerk.status).toBe(403);
    expect(clerk.json().error.code).toBe('forbidden');
    const backwards = await auditor.post(path, { windows: [{ fromMs: 5000, toMs: 1000 }] });
    expect(backwards.status).toBe(400);
    expect(backwards.json().error.code).toBe('invalid_request');
    const extra = await auditor.post(path, { windows: [], region: 'all' });
    expect(extra.status).toBe(400);
    // Without the composite's layout no tile can be found: refused, nothing started.
    const layoutFile = join(composite, '..', 'composite-layout.json');
    renameSync(layoutFile, `${layoutFile}.away`);
    try {
      const refused = await auditor.post(path, {});
      expect(refused.status).toBe(409);
      expect(refused.json().error.code).toBe('composite_not_ready');
    } finally {
      renameSync(`${layoutFile}.away`, layoutFile);
    }
  });

  test('a job renders the redacted video with progress; download, hash and audit entry agree', async () => {
    const started = await auditor.post(`/api/records/${run.recordId}/redacted-video`, {});
    expect(started.status, started.text).toBe(202);
    job = started.json();
    expect(job).toMatchObject({ kind: 'redacted_video', status: 'running' });
    const progress: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 600 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      job = (await auditor.get(`/api/evidence-jobs/${job.id}`)).json();
      progress.push((job as unknown as { progress: number }).progress);
    }
    console.log(`redacted video: ${job.status} in ${Date.now() - t0} ms, progress seen ${[...new Set(progress)]}`);
    expect(job.status).toBe('done');
    expect((await cixi.get(`/api/evidence-jobs/${job.id}/video.mp4`)).status).toBe(403);
    expect((await auditor.get(`/api/evidence-jobs/${job.id}/download`)).status).toBe(404);
    const video = await auditor.get(`/api/evidence-jobs/${job.id}/video.mp4`);
    expect(video.status).toBe(200);
    expect(video.headers['content-type']).toContain('video/mp4');
    const sha256 = createHash('sha256').update(video.body).digest('hex');
    expect(sha256).toBe(job.sha256);
    const entries = (await auditor.get('/api/audit?action=record.redacted_export&limit=10')).json().entries;
    const entry = entries.find((e: { details: { job: string } }) => e.details.job === job.id);
    const tile = tileOf(run.applicantPeer);
    const id = run.snapshots.id.offsetMs;
    expect(entry).toMatchObject({
      actor: 'user:auditor',
      target: `record:${run.recordId}`,
      details: {
        sha256,
        region: { ...tile, of: 'participant_tile', participant: run.applicantPeer },
        windows: [[id - ID_WINDOW_MARGIN_MS, id + ID_WINDOW_MARGIN_MS]],
      },
    });
  });

  test("pixels: in the ID window the applicant's tile is blurred; outside it, and the other tiles, are not", async () => {
    const redacted = join(server.dataDir, 'redacted-check.mp4');
    writeFileSync(redacted, (await auditor.get(`/api/evidence-jobs/${job.id}/video.mp4`)).body);
    const applicant = tileOf(run.applicantPeer);
    const other = tileOf(layout.tiles.find((t) => t.participant !== run.applicantPeer)!.participant);
    const ratio = (sec: number, box: Box) => {
      const r = edgeEnergy(frameAt(redacted, sec), box);
      const c = edgeEnergy(frameAt(composite, sec), box);
      return { redacted: r, composite: c, ratio: r / c };
    };
    const inside = ratio(run.snapshots.id.offsetMs / 1000, applicant);
    const otherTile = ratio(run.snapshots.id.offsetMs / 1000, other);
    const before = ratio(run.snapshots.face.offsetMs / 1000, applicant);
    const after = ratio((run.snapshots.id.offsetMs + ID_WINDOW_MARGIN_MS + 2_000) / 1000, applicant);
    console.log('edge energy (redacted / composite):', JSON.stringify({ inside, otherTile, before, after }));
    expect(inside.ratio).toBeLessThan(0.35);
    for (const same of [otherTile, before, after]) {
      expect(same.ratio).toBeGreaterThan(0.7);
      expect(same.ratio).toBeLessThan(1.4);
    }
  });

  test('the redacted video expires with the evidence-job time to live: job and file gone', async () => {
    const blob = job.sha256!;
    expect(await server.app.services.blobs.has(blob)).toBe(true);
    offsetMs = server.app.services.config.limits.evidenceJobTtlMs + 60_000;
    // A day later the auditor logs in again (the login session would have ended too).
    auditor = await server.login('auditor');
    const gone = await auditor.get(`/api/evidence-jobs/${job.id}`);
    expect(gone.status).toBe(404);
    expect(await server.app.services.blobs.has(blob)).toBe(false);
    const purged = (await auditor.get('/api/audit?action=evidence.purged&limit=10')).json().entries;
    expect(purged.some((e: { details: { job: string } }) => e.details.job === job.id)).toBe(true);
    expect(existsSync(composite)).toBe(true);
  });
});
