// Three real browsers in one session on the real MediaService and signalling: everyone decodes
// everyone, a late joiner sees video at once, and a killed worker is replaced without user action.
// Playback of every session (a late join, a leave and rejoin, a worker restart, and all of it again
// with a CPU burner beside the room) lasts as long as the session, gaps black and silent, and every
// recording run with video (a joiner's, after a rejoin, after a worker restart) has its first keyframe
// soon after its start: the target 0.3 s, the bound 2.5 s (the recorder asks for one when the run
// starts, in a way the sender acts on; see expectWholeSession).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { FinishedRecording, RecordedRun } from '../../server/features/recording/index.js';
import { verifyRecording } from '../../server/features/recording/index.js';
import { probe, videoFrameTimes } from './ffprobe.js';
import { launchChromium, waitForDecoding } from './browser.js';
import { startTestMediaServer, type TestMediaServer } from './test-server.js';

const sessionId = 'sess-room-1';
/** The worker-death test runs in a second session, after the first one's recording is sealed. */
const secondSession = 'sess-room-2';
/** A leave and rejoin and a worker restart again, with a CPU burner beside the room. */
const loadedSession = 'sess-room-3';
const cixi = 'user:clerk.cixi';
const xingren = 'user:clerk.xingren';
const applicant = `guest:${sessionId}`;
const consentedAt: Record<string, number> = {};
/** When each participant's first track reached the server in the first session: its time "in the session". */
const producingSince: Record<string, number> = {};
/** When each session's first track reached the server: the recording's timeline starts there. */
const sessionStart: Record<string, number> = {};
/** Per session and participant: when they were away on purpose (left, worker restart, blip), wall-clock ms. */
const outages: Record<string, Record<string, [number, number][]>> = {};
/** Every recording run that ended, per session. */
const runs: Record<string, (RecordedRun & { peerId: string })[]> = {};

let server: TestMediaServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startTestMediaServer({
    [sessionId]: ['clerk.cixi', 'clerk.xingren'],
    [secondSession]: ['clerk.cixi', 'clerk.xingren'],
    [loadedSession]: ['clerk.cixi', 'clerk.xingren'],
  });
  browser = await launchChromium();
  server.media.on('room', (room) => {
    room.on('newProducer', (p) => {
      sessionStart[room.sessionId] ??= Date.now();
      if (room.sessionId === sessionId) producingSince[p.peerId] ??= Date.now();
    });
  });
  server.recorder.on('runEnded', (session, peerId, run) => (runs[session] ??= []).push({ ...run, peerId }));
  server.recorder.on('tapFailed', (session, peerId, reason) =>
    console.log(`${session} ${peerId}: a recording run failed to start: ${reason}`),
  );
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function openRoom(as: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const host = new URL(server.url).hostname;
  await context.addCookies([{ name: 'tb-test-as', value: encodeURIComponent(as), domain: host, path: '/' }]);
  const page = await context.newPage();
  await page.goto(`${server.url}/room/${sessionId}`);
  await page.getByTestId('consent-accept').click();
  consentedAt[`user:${as}`] = Date.now();
  return page;
}

function outage(session: string, peerIds: readonly string[], from: number, to: number): void {
  const bySession = (outages[session] ??= {});
  for (const id of peerIds) (bySession[id] ??= []).push([from, to]);
}

/**
 * Each participant's chained segments cover their time in the session: from their first segment to
 * the end, every hole longer than 1 s lies within a time they were away (left, worker restart, blip),
 * give or take the 1.5 s a run needs to start. A run that recorded nothing would show here.
 */
async function expectCovered(session: string, endedAt: number): Promise<void> {
  const t0 = sessionStart[session]!;
  const endMs = endedAt - t0;
  const byPeer = new Map<string, { startMs: number; endMs: number }[]>();
  for (const s of (await server.store.segments(session)).filter((x) => x.endMs > x.startMs))
    byPeer.set(s.participant, [...(byPeer.get(s.participant) ?? []), s]);
  for (const [peerId, segs] of byPeer) {
    segs.sort((a, b) => a.startMs - b.startMs);
    const holes: [number, number][] = [];
    let reached = segs[0]!.startMs;
    for (const s of [...segs, { startMs: endMs, endMs }]) {
      if (s.startMs - reached > 1_000) holes.push([reached, s.startMs]);
      reached = Math.max(reached, s.endMs);
    }
    const away = (outages[session]?.[peerId] ?? []).map(([a, b]) => [a - t0 - 1_500, b - t0 + 1_500] as const);
    console.log(
      `${session} ${peerId}: recorded from ${segs[0]!.startMs} ms to ${reached} ms of ${endMs} ms; holes ${JSON.stringify(holes)}, away ${JSON.stringify(away)}`,
    );
    if (holes.length)
      console.log(
        `${session} ${peerId} segments: ${(await server.store.segments(session))
          .filter((x) => x.participant === peerId)
          .map((x) => `${x.file.split('/')[1]} ${x.startMs}-${x.endMs}`)
          .join(', ')}`,
      );
    for (const [a, b] of holes)
      expect(
        away.some(([x, y]) => x <= a && b <= y),
        `${peerId}: a hole from ${a} to ${b} ms while present`,
      ).toBe(true);
  }
}

/**
 * A sealed session against its length (first published track to `endedAt`): every recording run's
 * video started soon after the run (its first keyframe reached the recorder), the chain covers
 * everyone's time in the session, and the playback of every participant and the composite lasts as
 * long as the session within 2 %, with video frames all along (a gap is black frames, not a jump in
 * timestamps). Prints the figures; returns the files.
 */
async function expectWholeSession(session: string, endedAt: number): Promise<Readonly<Record<string, string>>> {
  const sessionSec = (endedAt - sessionStart[session]!) / 1000;
  const segments = await server.store.segments(session);
  const recordedMs = (peerId: string, prefix: string) =>
    segments
      .filter((s) => s.participant === peerId && s.file.split('/')[1]!.startsWith(`${prefix}-`))
      .reduce((t, s) => t + s.endMs - s.startMs, 0);
  // Every run is printed before anything is checked: a hole is explained by the runs around it.
  const ended = (runs[session] ?? []).map((run) => ({ run, ms: recordedMs(run.peerId, run.prefix) }));
  for (const { run, ms } of ended)
    console.log(
      `${session} ${run.peerId} ${run.prefix} (${run.kinds.join('+')}) from ${run.startMs} ms, ${ms} ms recorded, first keyframe after ${run.keyFrameWaitMs ?? '(none)'} ms${run.videoFromMs > 0 ? ` of the sender's video, which came ${run.videoFromMs} ms into the run` : ''} (sender: ${run.senderTrace})`,
    );
  await expectCovered(session, endedAt);
  const rendered = await server.recorder.composite(session)!.result;
  const files = [...Object.entries(rendered.participants), ['composite', rendered.composite!] as const];
  for (const [who, file] of files) {
    const p = probe(file);
    const frames = videoFrameTimes(file);
    const largestStep = Math.max(...frames.slice(1).map((t, i) => t - frames[i]!));
    console.log(
      `${session} playback ${who}: ${p.codecs.join('+')} ${p.durationSec.toFixed(2)} s of a ${sessionSec.toFixed(2)} s session (${((100 * (p.durationSec - sessionSec)) / sessionSec).toFixed(2)} %); ${frames.length} frames, largest step ${largestStep.toFixed(3)} s`,
    );
    expect(Math.abs(p.durationSec - sessionSec) / sessionSec, `${who} lasts as long as the session`).toBeLessThan(0.02);
    expect(largestStep).toBeLessThan(0.25);
  }
  // Checked after playback, so that a slow keyframe does not hide the durations' figures. Every run,
  // a joiner's first one as well as one after a rejoin or a worker restart, gets its first keyframe
  // soon after its start (the issue: no lost first second), or after the sender's video when that came
  // later (its first packets, its first frame a keyframe; or its return from a silence). A run
  // stopped at once (the camera's track followed the microphone's, a restart) has nothing to wait for.
  // The target is 0.3 s (0–263 ms in most runs); the bound is 2.5 s, a guard against losing whole
  // seconds again, not the target. A simulcast camera now reaches the recorder through a pipe
  // consumer (layer-selector.ts), which mediasoup 3.8.4 does not hold back until a new stream's first
  // sender report (it did after a worker restart: 2.1 s in CI). Above the target still: when Chrome
  // had just acted on a live receiver's request (it acts on one per 300 ms) and dropped the run's,
  // the engine repeats it only after 1 s (KeyFrameRequestManager.cpp, KeyFrameRetransmissionWaitTime):
  // 1295 and 1326 ms in 3 file runs at load 8–12; a loaded Chrome answers in 0.5 s (339–539 ms). With
  // the burner at load 10 a sender starved of CPU let four requests go unanswered for 1.6 s (1664 ms).
  const withVideo = ended.filter(({ run, ms }) => run.kinds.includes('video') && ms > 1_000);
  console.log(
    `${session} first-keyframe waits of the runs with video: ${withVideo.map(({ run }) => `${run.peerId} ${run.prefix} ${run.keyFrameWaitMs ?? '(none)'} ms${run.videoFromMs > 0 ? ` (video from +${run.videoFromMs})` : ''}`).join(', ')}`,
  );
  for (const { run } of withVideo) {
    expect(run.keyFrameWaitMs, `${run.peerId} ${run.prefix} keyframe`).not.toBeNull();
    expect(run.keyFrameWaitMs!, `${run.peerId} ${run.prefix} keyframe wait`).toBeLessThanOrEqual(2500);
  }
  return rendered.participants;
}

/**
 * A participant leaves the room and comes back after `awayMs` (already consented: publishing resumes
 * by itself); returns once `watcher` decodes them again, plus `thenMs` so that the new run records.
 */
async function leaveAndRejoin(
  who: { page: Page; id: string },
  watcher: Page,
  session: string,
  awayMs: number,
  thenMs: number,
): Promise<void> {
  const leftAt = Date.now();
  await who.page.evaluate(() => window.__tongbanRoom!.leave());
  await new Promise((r) => setTimeout(r, awayMs));
  await who.page.goto(`${server.url}/room/${session}`);
  await waitForDecoding(watcher, [who.id], 60_000);
  outage(session, [who.id], leftAt, Date.now());
  await new Promise((r) => setTimeout(r, thenMs));
}

/** Kills the session's mediasoup worker and waits until every page decodes the others again. */
async function killWorker(session: string, pages: Record<string, Page>): Promise<void> {
  const killedAt = Date.now();
  const [worker] = await server.media.pool.workers();
  const rebuilt = new Promise<void>((r) => server.media.once('rebuild', () => r()));
  process.kill(worker!.pid, 'SIGKILL');
  await rebuilt;
  const everyone = Object.keys(pages);
  for (const who of everyone) {
    const summary = await waitForDecoding(
      pages[who]!,
      everyone.filter((p) => p !== who),
      60_000,
    );
    console.log(`after rebuild ${who}: frames decoded ${JSON.stringify(summary.frames)}`);
  }
  outage(session, everyone, killedAt, Date.now());
  const [fresh] = await server.media.pool.workers();
  expect(fresh!.pid).not.toBe(worker!.pid);
}

/**
 * Ends a session whose worker was restarted: the recording went on after the worker's death (each
 * participant's runs after the first, on the new router, hold seconds of media) in one unbroken
 * chain, and playback covers the whole session.
 */
async function endRestartedSession(session: string, everyone: readonly string[]): Promise<void> {
  const endedAt = Date.now();
  await server.media.endSession(session);
  const v = await verifyRecording({ dataDir: server.dataDir, sessionId: session, store: server.store });
  const after = new Map<string, number>();
  for (const seg of await server.store.segments(session)) {
    if (seg.file.split('/')[1]!.startsWith('r0001')) continue;
    after.set(seg.participant, (after.get(seg.participant) ?? 0) + seg.endMs - seg.startMs);
  }
  console.log(
    `${session}: ${v.segmentCount} segments, valid ${v.valid}, ms recorded after the first run ${JSON.stringify(Object.fromEntries(after))}`,
  );
  expect(v.valid).toBe(true);
  for (const who of everyone) expect(after.get(who) ?? 0).toBeGreaterThan(3_000);
  const participants = await expectWholeSession(session, endedAt);
  expect(Object.keys(participants).sort()).toEqual([...everyone].sort());
}

/** The built CLI (the vitest global setup compiles dist/). */
function tongban(args: string[]) {
  return spawnSync('node', [join(import.meta.dirname, '../../bin/tongban.cjs'), ...args], { encoding: 'utf8' });
}

describe('three browsers in one room', () => {
  const pages: Record<string, Page> = {};

  /** The three pages go to another session and consent; the applicant's invitation is for that one. */
  async function moveToSession(session: string): Promise<Record<string, Page>> {
    const guest = `guest:${session}`;
    await pages[applicant]!.context().addCookies([
      { name: 'tb-test-as', value: encodeURIComponent(guest), domain: '127.0.0.1', path: '/' },
    ]);
    const moved: Record<string, Page> = {
      [cixi]: pages[cixi]!,
      [xingren]: pages[xingren]!,
      [guest]: pages[applicant]!,
    };
    for (const page of Object.values(moved)) {
      await page.goto(`${server.url}/room/${session}`);
      await page.getByTestId('consent-accept').click();
    }
    const everyone = Object.keys(moved);
    // 60 s: with a core burnt, three pages reloading at once take a while to decode each other.
    for (const who of everyone)
      await waitForDecoding(
        moved[who]!,
        everyone.filter((p) => p !== who),
        60_000,
      );
    return moved;
  }

  it('two clerks decode each other; the applicant joining late decodes video within 5 s', async () => {
    pages[cixi] = await openRoom('clerk.cixi');
    pages[xingren] = await openRoom('clerk.xingren');
    await waitForDecoding(pages[cixi], [xingren]);
    await waitForDecoding(pages[xingren], [cixi]);

    const context = await browser.newContext();
    contexts.push(context);
    await context.addCookies([
      { name: 'tb-test-as', value: encodeURIComponent(applicant), domain: '127.0.0.1', path: '/' },
    ]);
    const page = await context.newPage();
    pages[applicant] = page;
    await page.goto(`${server.url}/room/${sessionId}`);
    await page.getByTestId('consent-accept').waitFor();
    // From the join request (User Timing mark set by the room client) to the first decoded frame of
    // both clerks; page load is printed as well.
    const timing = await page.evaluate(
      async (peers) => {
        for (;;) {
          const stats = (await window.__tongbanRoom?.stats()) ?? [];
          if (peers.every((p) => stats.some((s) => s.peerId === p && s.kind === 'video' && s.framesDecoded > 0))) {
            const join = performance.getEntriesByName('tongban:join')[0]?.startTime ?? 0;
            return { fromNavigation: performance.now(), fromJoin: performance.now() - join };
          }
          if (performance.now() > 20_000) return { fromNavigation: Infinity, fromJoin: Infinity };
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      [cixi, xingren],
    );
    console.log(
      `late joiner: video from both clerks decoded ${Math.round(timing.fromJoin)} ms after joining (${Math.round(timing.fromNavigation)} ms after navigation; load average ${loadavg()[0]!.toFixed(1)})`,
    );
    await page.getByTestId('consent-accept').click();
    consentedAt[applicant] = Date.now();
    // 5 s, not 2: on a shared two-core CI machine with three Chromium pages the join took 2.6 s (load
    // ~10); the figure without load is in the bench (join→first-frame), this bound catches a stall.
    expect(timing.fromJoin).toBeLessThan(5_000);
  });

  it('each page decodes audio and video from both others', async () => {
    const everyone = [cixi, xingren, applicant];
    for (const who of everyone) {
      const others = everyone.filter((p) => p !== who);
      const summary = await waitForDecoding(pages[who]!, others);
      console.log(
        `${who}: frames decoded ${JSON.stringify(summary.frames)} audio packets ${JSON.stringify(summary.audioPackets)}`,
      );
      for (const o of others) expect(summary.frames[o]).toBeGreaterThan(0);
      await expect.poll(() => pages[who]!.getByTestId('video-tile').count()).toBe(3);
    }
    await expect
      .poll(() => pages[applicant]!.getByTestId('video-tile').filter({ hasText: '慈溪窗口 王敏' }).count())
      .toBe(1);
    // The fake microphones beep: the audio-level observer names an active speaker.
    const speaker = await pages[applicant]!.waitForFunction(
      () => window.__tongbanRoom?.state.activeSpeaker,
      undefined,
      { timeout: 15_000 },
    );
    console.log(`active speaker seen by the applicant: ${String(await speaker.jsonValue())}`);
  });

  // 300 s: rendering the playback re-encodes every participant, a minute or more on a loaded 2-core machine.
  it('every page shows the recording indicator; the sealed recording verifies, and playback covers the session with a leave and rejoin', async () => {
    for (const page of Object.values(pages)) await page.getByTestId('recording-indicator').waitFor({ timeout: 10_000 });
    // Long enough that a 2 % tolerance means something (≥ 20 s for everyone); 兴仁's clerk steps out
    // for 4 s and comes back meanwhile: two runs with a gap between them.
    const last = Math.max(...Object.values(consentedAt));
    await leaveAndRejoin({ page: pages[xingren]!, id: xingren }, pages[cixi]!, sessionId, 4_000, 6_000);
    await new Promise((r) => setTimeout(r, Math.max(0, last + 20_000 - Date.now())));
    const endedAt = Date.now();
    const finished = (await server.media.endSession(sessionId)) as FinishedRecording;
    expect(finished.status).toBe('sealed');
    const verification = await verifyRecording({ dataDir: server.dataDir, sessionId, store: server.store });
    console.log(
      `recording: ${verification.segmentCount} segments, head ${verification.head}, valid ${verification.valid}`,
    );
    expect(verification.valid).toBe(true);
    expect(verification.segmentCount).toBeGreaterThanOrEqual(9);
    const cli = tongban(['record', 'verify', sessionId, '--data', server.dataDir]);
    console.log(`$ tongban record verify ${sessionId}\n${cli.stdout}`);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('VALID');

    const job = server.recorder.composite(sessionId)!;
    const progress: number[] = [];
    job.on('progress', (p) => progress.push(p));
    const participants = await expectWholeSession(sessionId, endedAt);
    const segments = await server.store.segments(sessionId);
    for (const who of [cixi, xingren, applicant]) {
      expect(participants[who], `${who} has a recorded file`).toBeDefined();
      const p = probe(participants[who]!);
      console.log(
        `ffprobe ${who}: ${p.codecs.join('+')} ${p.durationSec.toFixed(2)} s (opus ${p.streamSec.opus?.toFixed(2)} s, vp8 ${p.streamSec.vp8?.toFixed(2)} s; producing for ${((endedAt - producingSince[who]!) / 1000).toFixed(2)} s)`,
      );
      expect(p.codecs).toEqual(['opus', 'vp8']);
      // Neither track lost its tail or drifted away from the other.
      expect(Math.abs(p.streamSec.opus! - p.streamSec.vp8!)).toBeLessThan(0.5);
      // The recording itself kept the tail: the last chained segment ends with the session.
      const lastEndMs = Math.max(...segments.filter((s) => s.participant === who).map((s) => s.endMs));
      expect(endedAt - sessionStart[sessionId]! - lastEndMs).toBeLessThan(1_500);
    }
    // 兴仁's clerk stepped out: a gap of about 4 s between two runs in the chain, which playback fills
    // with black frames and silence (lengths checked above).
    const theirs = segments.filter((s) => s.participant === xingren).sort((a, b) => a.startMs - b.startMs);
    const gaps = theirs.slice(1).map((s, i) => s.startMs - theirs[i]!.endMs);
    console.log(`${xingren}: gaps between recorded segments ${JSON.stringify(gaps.filter((g) => g > 100))} ms`);
    expect(Math.max(...gaps)).toBeGreaterThan(3_000);
    const composite = probe((await job.result).composite!);
    console.log(
      `composite: ${composite.codecs.join('+')} ${composite.durationSec.toFixed(2)} s, progress events ${progress.length}`,
    );
    expect(composite.codecs).toEqual(['aac', 'h264']);
    expect(progress.at(-1)).toBe(1);

    // One flipped byte in a segment: verification fails and names that segment.
    const target = (await server.store.segments(sessionId))[2]!;
    const file = join(finished.dir, target.file);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);
    const tampered = await verifyRecording({ dataDir: server.dataDir, sessionId, store: server.store });
    console.log(
      `after flipping a byte in ${target.file}: valid ${tampered.valid}, first bad ${JSON.stringify(tampered.firstBadSegment)}`,
    );
    expect(tampered.valid).toBe(false);
    expect(tampered.firstBadSegment).toEqual({ index: 2, file: target.file, reason: 'hash_mismatch' });
    const cliTampered = tongban(['record', 'verify', sessionId, '--data', server.dataDir]);
    console.log(`$ tongban record verify ${sessionId} (tampered)\n${cliTampered.stdout}`);
    expect(cliTampered.status).toBe(1);
    expect(cliTampered.stdout).toContain(`first bad segment: #2 ${target.file} (hash_mismatch)`);
  }, 300_000);

  // 300 s, as above.
  it('a killed worker is replaced and every page decodes again without user action; playback covers the session', async () => {
    // A second session (the first one's recording is sealed): the applicant's invitation is for it.
    const applicant2 = `guest:${secondSession}`;
    const second = await moveToSession(secondSession);
    const everyone = Object.keys(second);
    await killWorker(secondSession, second);

    // Mute states reach the others.
    await second[cixi]!.evaluate(() => window.__tongbanRoom!.setMuted('audio', true));
    await second[xingren]!.waitForFunction(
      (id) => window.__tongbanRoom?.state.peers.get(id)?.audioMuted === true,
      cixi,
    );
    await second[cixi]!.evaluate(() => window.__tongbanRoom!.setMuted('audio', false));
    await second[xingren]!.waitForFunction(
      (id) => window.__tongbanRoom?.state.peers.get(id)?.audioMuted === false,
      cixi,
    );

    // A network blip: the applicant's connection drops under it; socket.io reconnects, the client
    // takes its seat again and media flows both ways, without user action.
    const page = second[applicant2]!;
    await page.evaluate(() => {
      const w = window as unknown as { __rejoins: number };
      w.__rejoins = 0;
      window.__tongbanRoom!.addEventListener('rejoined', () => (w.__rejoins += 1));
    });
    const socket = [...server.io.sockets.sockets.values()].find((s) => s.data.mediaSeat?.peerId === applicant2);
    const blipAt = Date.now();
    socket!.conn.close();
    await page.waitForFunction(() => (window as unknown as { __rejoins: number }).__rejoins >= 1, undefined, {
      timeout: 15_000,
    });
    for (const who of everyone) {
      const summary = await waitForDecoding(
        second[who]!,
        everyone.filter((p) => p !== who),
        20_000,
      );
      console.log(`after the applicant's blip ${who}: frames decoded ${JSON.stringify(summary.frames)}`);
    }
    outage(secondSession, [applicant2], blipAt, Date.now());
    await new Promise((r) => setTimeout(r, 5_000));

    await endRestartedSession(secondSession, everyone);
  }, 300_000);

  // 400 s: everything above runs slower with a core burnt.
  it('with a CPU burner beside the room, a leave and rejoin and a worker restart, playback still covers the whole session', async () => {
    const burner = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    try {
      const loaded = await moveToSession(loadedSession);
      const everyone = Object.keys(loaded);
      await new Promise((r) => setTimeout(r, 3_000));
      await leaveAndRejoin({ page: loaded[cixi]!, id: cixi }, loaded[xingren]!, loadedSession, 3_000, 4_000);
      await killWorker(loadedSession, loaded);
      await new Promise((r) => setTimeout(r, 5_000));
      await endRestartedSession(loadedSession, everyone);
    } finally {
      burner.kill('SIGKILL');
    }
  }, 400_000);
});
