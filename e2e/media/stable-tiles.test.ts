// Stable remote tiles (issue 13 §1): three browsers in one recorded room for 24 s while microphones
// and cameras are switched off and on from the room's own buttons (so the active speaker changes
// too). Every remote <video> on every page is sampled every 500 ms: its currentTime only grows, it
// never falls back below HAVE_CURRENT_DATA or to videoWidth 0 once it showed a picture (outside the
// spans where that peer's camera is off), re-renders never assign srcObject, and it decodes ≥ 80 % of
// the frames its sender sends.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, sendLayers, waitForDecoding } from './browser.js';
import { startTestMediaServer, type TestMediaServer } from './test-server.js';

const sessionId = 'sess-tiles-1';
const cixi = 'user:clerk.cixi';
const xingren = 'user:clerk.xingren';
const applicant = `guest:${sessionId}`;
const everyone = [cixi, xingren, applicant] as const;
type Who = (typeof everyone)[number];

const runMs = 24_000;
const sampleEveryMs = 500;
/** After a camera comes back: the resume request, the keyframe and the first decoded frame. */
const resumeGraceMs = 2_500;
/** Around a camera-off click: the sender's disabled track still sends black frames until the SFU pauses it. */
const pauseGraceMs = 1_000;
/** Toggles from the room's own buttons (each entry flips that control); everything ends switched on. */
const script: readonly { at: number; who: Who; control: 'toggle-mic' | 'toggle-camera' }[] = [
  { at: 1_500, who: cixi, control: 'toggle-mic' },
  { at: 3_000, who: xingren, control: 'toggle-camera' },
  { at: 4_500, who: applicant, control: 'toggle-mic' },
  { at: 6_000, who: cixi, control: 'toggle-mic' },
  { at: 7_500, who: xingren, control: 'toggle-camera' },
  { at: 9_000, who: xingren, control: 'toggle-mic' },
  { at: 10_500, who: applicant, control: 'toggle-camera' },
  { at: 12_000, who: applicant, control: 'toggle-mic' },
  { at: 13_500, who: applicant, control: 'toggle-camera' },
  { at: 15_000, who: cixi, control: 'toggle-camera' },
  { at: 16_500, who: xingren, control: 'toggle-mic' },
  { at: 18_000, who: cixi, control: 'toggle-camera' },
  { at: 19_500, who: cixi, control: 'toggle-mic' },
  { at: 21_000, who: cixi, control: 'toggle-mic' },
];

interface VideoSample {
  /** Stable per element object: a re-mounted <video> gets a new number. */
  readonly el: number;
  readonly peerId: string;
  readonly t: number;
  readonly currentTime: number;
  readonly readyState: number;
  readonly videoWidth: number;
  readonly frames: number;
  readonly srcSets: number;
  readonly paused: boolean;
  /** The stream's video track reports no media arriving (the sender's camera is off). */
  readonly trackMuted: boolean;
}

interface PageSample {
  readonly videos: VideoSample[];
  /** This page's own camera: frames sent so far (outbound RTP) and when they were read. */
  readonly sent: { t: number; frames: number };
}

let server: TestMediaServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pages = {} as Record<Who, Page>;

beforeAll(async () => {
  server = await startTestMediaServer({ [sessionId]: ['clerk.cixi', 'clerk.xingren'] });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

/**
 * Counts srcObject assignments per media element: the cause of a reset, seen directly. A string,
 * not a function: the test transform may add helpers to functions that do not exist in the page.
 */
const countSrcObjectSets = `{
  const d = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    enumerable: d.enumerable,
    get() { return d.get.call(this); },
    set(v) { this.__srcSets = (this.__srcSets || 0) + 1; d.set.call(this, v); },
  });
}`;

/** The test server's cookie names a user by username, a guest by `guest:<session>` (the peer id). */
async function enter(as: Who): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  await context.addInitScript(countSrcObjectSets);
  await context.addCookies([
    {
      name: 'tb-test-as',
      value: encodeURIComponent(as.replace(/^user:/, '')),
      domain: new URL(server.url).hostname,
      path: '/',
    },
  ]);
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[page error ${as}] ${err.message}\n`));
  await page.goto(`${server.url}/room/${sessionId}`);
  await page
    .getByTestId('consent-accept')
    .click({ timeout: 60_000 })
    .catch(async (err: Error) => {
      const state = await page.evaluate(() => ({
        phase: window.__tongbanRoom?.state.phase,
        error: window.__tongbanRoom?.state.error,
      }));
      throw new Error(`${as}: no consent dialog (room ${JSON.stringify(state)}): ${err.message}`);
    });
  return page;
}

function sample(page: Page): Promise<PageSample> {
  return page.evaluate(async () => {
    const w = window as unknown as { __ids?: WeakMap<Element, number>; __nextId?: number };
    const ids = (w.__ids ??= new WeakMap());
    const room = window.__tongbanRoom!;
    const videos = [...document.querySelectorAll<HTMLElement>('[data-testid="video-tile"]')]
      .filter((tile) => tile.dataset.peerId !== room.state.peerId)
      .flatMap((tile) => {
        const v = tile.querySelector('video') as (HTMLVideoElement & { __srcSets?: number }) | null;
        if (!v) return [];
        if (!ids.has(v)) ids.set(v, (w.__nextId = (w.__nextId ?? 0) + 1));
        return [
          {
            el: ids.get(v)!,
            peerId: tile.dataset.peerId!,
            t: Date.now(),
            currentTime: v.currentTime,
            readyState: v.readyState,
            videoWidth: v.videoWidth,
            frames: v.getVideoPlaybackQuality().totalVideoFrames,
            srcSets: v.__srcSets ?? 0,
            paused: v.paused,
            trackMuted: (v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.muted ?? false,
          },
        ];
      });
    const own = (await room.sendStats()).find((s) => s.kind === 'video');
    // The stats' own timestamp: under load the answer arrives well after the counters were read.
    return { videos, sent: { t: own?.at ?? Date.now(), frames: own?.framesSent ?? 0 } };
  });
}

/** Active-speaker changes as this page's room client reports them. */
function followSpeaker(page: Page): Promise<void> {
  return page.evaluate(() => {
    const room = window.__tongbanRoom!;
    const w = window as unknown as { __speakers: string[]; __audioOnly: [number, boolean][] };
    w.__speakers = [];
    w.__audioOnly = [];
    room.addEventListener('change', () => {
      const s = room.state.activeSpeaker;
      if (s && s !== w.__speakers.at(-1)) w.__speakers.push(s);
      // A false audio-only (the estimate collapsing under CPU load) would pause video: record it.
      if (room.state.audioOnly !== (w.__audioOnly.at(-1)?.[1] ?? false))
        w.__audioOnly.push([Date.now(), room.state.audioOnly]);
    });
  });
}

const inSpan = (spans: readonly [number, number][], t: number, grace = { before: 0, after: 0 }) =>
  spans.some(([a, b]) => t >= a - grace.before && t <= b + grace.after);
/** Where frame rates are not comparable: a camera off, and the seconds it takes to stop and to come back. */
const rateGrace = { before: pauseGraceMs, after: resumeGraceMs };

describe('stable remote tiles', () => {
  it('for 24 s of speaker changes and mute toggles no remote video resets, stalls or drops frames', async () => {
    const setupStart = Date.now();
    // All three at once: on a loaded machine the joins, not the 24 s, are what eats the test's time.
    await Promise.all(everyone.map(async (who) => (pages[who] = await enter(who))));
    await Promise.all(
      everyone.map((who) =>
        waitForDecoding(
          pages[who],
          everyone.filter((p) => p !== who),
          60_000,
        ),
      ),
    );
    for (const who of everyone) await followSpeaker(pages[who]);

    const samples = Object.fromEntries(everyone.map((w) => [w, [] as PageSample[]])) as Record<Who, PageSample[]>;
    /** Per peer: from the click that turns its camera off until the click that turns it on. */
    const cameraOff = Object.fromEntries(everyone.map((w) => [w, [] as [number, number][]])) as Record<
      Who,
      [number, number][]
    >;
    const start = Date.now();
    const sampler = (async () => {
      while (Date.now() - start < runMs) {
        const tick = Date.now();
        const got = await Promise.all(everyone.map((w) => sample(pages[w])));
        everyone.forEach((w, i) => samples[w].push(got[i]!));
        await new Promise((r) => setTimeout(r, Math.max(0, tick + sampleEveryMs - Date.now())));
      }
    })();
    const off = new Map<Who, number>();
    for (const step of script) {
      await new Promise((r) => setTimeout(r, Math.max(0, start + step.at - Date.now())));
      const clickedAt = Date.now();
      await pages[step.who].getByTestId(step.control).click();
      if (step.control !== 'toggle-camera') continue;
      const since = off.get(step.who);
      if (since === undefined) off.set(step.who, clickedAt);
      else {
        cameraOff[step.who].push([since, clickedAt]);
        off.delete(step.who);
      }
    }
    await sampler;
    expect(off.size, 'every camera is on again at the end').toBe(0);

    const speakers = Object.fromEntries(
      await Promise.all(
        everyone.map(async (w) => [
          w,
          await pages[w].evaluate(() => (window as unknown as { __speakers: string[] }).__speakers),
        ]),
      ),
    ) as Record<Who, string[]>;
    const audioOnly = Object.fromEntries(
      await Promise.all(
        everyone.map(async (w) => [
          w,
          await pages[w].evaluate(() => (window as unknown as { __audioOnly: [number, boolean][] }).__audioOnly),
        ]),
      ),
    ) as Record<Who, [number, boolean][]>;
    const layers = Object.fromEntries(
      await Promise.all(everyone.map(async (w) => [w, await sendLayers(pages[w])])),
    ) as Record<Who, string>;

    // Sender frame rates, over the time its camera was on (for the trace).
    const sentFps = {} as Record<Who, number>;
    for (const w of everyone) {
      let frames = 0;
      let ms = 0;
      const s = samples[w];
      for (let i = 1; i < s.length; i++) {
        const a = s[i - 1]!.sent;
        const b = s[i]!.sent;
        if (inSpan(cameraOff[w], a.t, rateGrace) || inSpan(cameraOff[w], b.t, rateGrace)) continue;
        frames += b.frames - a.frames;
        ms += b.t - a.t;
      }
      sentFps[w] = (frames * 1000) / ms;
    }
    // The stats timestamp is on the same clock as Date.now() (epoch ms), else the rates below are meaningless.
    for (const w of everyone)
      for (const ps of samples[w]) expect(Math.abs(ps.sent.t - (ps.videos[0]?.t ?? ps.sent.t))).toBeLessThan(30_000);
    /** Frames the peer had sent by time t, interpolated between its samples: compares like with like when pages are read at different moments. */
    const sentBy = (w: Who, t: number): number => {
      const s = samples[w].map((x) => x.sent);
      const j = s.findIndex((x) => x.t >= t);
      if (j <= 0) return (s[j === 0 ? 0 : s.length - 1] ?? { frames: 0 }).frames;
      const a = s[j - 1]!;
      const b = s[j]!;
      return a.frames + ((b.frames - a.frames) * (t - a.t)) / (b.t - a.t);
    };

    const problems: string[] = [];
    const trace: string[] = [];
    for (const w of everyone) {
      trace.push(
        `${w} (speakers seen: ${speakers[w].length} changes; sending ${sentFps[w].toFixed(1)} fps; layers now: ${layers[w]}; ` +
          `audio-only changes: ${JSON.stringify(audioOnly[w].map(([t, on]) => [t - start, on]))})`,
      );
      if (audioOnly[w].length > 0) problems.push(`${w}: audio-only engaged on an unimpaired loopback link`);
      const byEl = new Map<number, VideoSample[]>();
      for (const ps of samples[w]) for (const v of ps.videos) byEl.set(v.el, [...(byEl.get(v.el) ?? []), v]);
      const peersSeen = [...byEl.values()].map((vs) => vs[0]!.peerId).sort();
      if (
        peersSeen.join() !==
        everyone
          .filter((p) => p !== w)
          .sort()
          .join()
      ) {
        problems.push(
          `${w}: remote <video> elements over the run were ${byEl.size} (${peersSeen.join(', ')}), expected one per other peer`,
        );
      }
      for (const [el, vs] of byEl) {
        const peer = vs[0]!.peerId as Who;
        const off = cameraOff[peer];
        const where = `${w} ← ${peer} (element ${el})`;
        let backward = 0;
        let dropped = 0;
        let everReady = false;
        let minReady = 4;
        let frames = 0;
        let sent = 0;
        let ms = 0;
        /** While the camera is off: how the element behaves (measured, reported in the trace). */
        const whileOff = { samples: 0, minReady: 4, currentTime: 0, ms: 0, frames: 0, paused: 0, trackMuted: 0 };
        for (let i = 0; i < vs.length; i++) {
          const b = vs[i]!;
          const isOff = inSpan(off, b.t);
          if (isOff) {
            whileOff.samples++;
            whileOff.minReady = Math.min(whileOff.minReady, b.readyState);
            whileOff.paused += Number(b.paused);
            whileOff.trackMuted += Number(b.trackMuted);
          }
          if (everReady) minReady = Math.min(minReady, b.readyState);
          // Chromium keeps the last picture (readyState 4) while a sender's camera is off, so no
          // exception is made for those spans: once shown, a picture never goes away.
          if (everReady && (b.readyState < 2 || b.videoWidth === 0)) {
            dropped++;
            problems.push(
              `${where}: readyState ${b.readyState}, videoWidth ${b.videoWidth} at +${b.t - start} ms${isOff ? ' (camera off)' : ''}`,
            );
          }
          everReady ||= b.readyState >= 2 && b.videoWidth > 0;
          if (i === 0) continue;
          const a = vs[i - 1]!;
          if (b.currentTime < a.currentTime) {
            backward++;
            problems.push(
              `${where}: currentTime ${a.currentTime.toFixed(2)} → ${b.currentTime.toFixed(2)} at +${b.t - start} ms`,
            );
          }
          // A decreasing counter means the element restarted on a new source: count from zero.
          const decoded = b.frames >= a.frames ? b.frames - a.frames : b.frames;
          if (inSpan(off, a.t) && isOff) {
            whileOff.currentTime += b.currentTime - a.currentTime;
            whileOff.ms += b.t - a.t;
            whileOff.frames += decoded;
          }
          if (!inSpan(off, a.t, rateGrace) && !inSpan(off, b.t, rateGrace)) {
            frames += decoded;
            sent += sentBy(peer, b.t) - sentBy(peer, a.t);
            ms += b.t - a.t;
          }
        }
        const fps = (frames * 1000) / ms;
        const ratio = frames / sent;
        const srcSets = vs.at(-1)!.srcSets - vs[0]!.srcSets;
        if (srcSets > 0) problems.push(`${where}: srcObject assigned ${srcSets} times during the run`);
        if (!(ratio >= 0.8))
          problems.push(
            `${where}: decoded ${frames} of the ${sent.toFixed(0)} frames sent in the same ${(ms / 1000).toFixed(1)} s`,
          );
        trace.push(
          `  ← ${peer}: currentTime ${vs[0]!.currentTime.toFixed(2)} → ${vs.at(-1)!.currentTime.toFixed(2)} s, backward ${backward}, ` +
            `min readyState ${minReady}, drops ${dropped}, ${vs.length} samples, ` +
            `${fps.toFixed(1)} fps decoded (${frames}/${sent.toFixed(0)} frames sent = ${(100 * ratio).toFixed(0)} %), srcObject sets ${srcSets}` +
            (whileOff.samples
              ? `; camera off (${whileOff.samples} samples): min readyState ${whileOff.minReady}, currentTime +${whileOff.currentTime.toFixed(2)} s ` +
                `in ${(whileOff.ms / 1000).toFixed(2)} s, ${whileOff.frames} frames, paused ${whileOff.paused}, track muted ${whileOff.trackMuted}`
              : ''),
        );
      }
    }
    console.log(
      `stable tiles, ${runMs / 1000} s (joined and decoding after ${((start - setupStart) / 1000).toFixed(1)} s), camera off spans (ms from start): ${JSON.stringify(Object.fromEntries(everyone.map((w) => [w, cameraOff[w].map(([a, b]) => [a - start, b - start])])))}\n${trace.join('\n')}`,
    );
    if (problems.length) console.log(`problems (${problems.length}):\n  ${problems.slice(0, 40).join('\n  ')}`);
    for (const w of everyone)
      expect(speakers[w].length, `${w} saw the active speaker change`).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
  });

  it('a page that rejoins (network blip, SFU rebuild) keeps its remote <video> elements and streams; the new tracks play in them', async () => {
    const page = pages[applicant];
    const before = await sample(page);
    await page.evaluate(() => window.__tongbanRoom!.rejoin());
    // New consumers' tracks arrive on the same streams: wait for a second of new frames in every element.
    await page.waitForFunction(
      (counts) =>
        counts.every(({ peerId, frames }) => {
          const v = document.querySelector<HTMLVideoElement>(`[data-peer-id="${peerId}"] video`);
          return v !== null && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames >= frames + 15;
        }),
      before.videos.map(({ peerId, frames }) => ({ peerId, frames })),
      { timeout: 30_000 },
    );
    const after = await sample(page);
    /** Per remote peer: the tracks now on its stream (the closed consumers' tracks are gone from it). */
    const tracks = await page.evaluate(
      (peers) => {
        const out: Record<string, string> = {};
        for (const peerId of peers) {
          const stream = document.querySelector<HTMLVideoElement>(`[data-peer-id="${peerId}"] video`)!
            .srcObject as MediaStream;
          out[peerId] = stream
            .getTracks()
            .map((t) => `${t.kind} ${t.readyState}`)
            .sort()
            .join(', ');
        }
        return out;
      },
      before.videos.map((v) => v.peerId),
    );
    console.log(
      `rejoin of ${applicant}, before → after: ${after.videos
        .map((v) => {
          const b = before.videos.find((x) => x.peerId === v.peerId)!;
          return `${v.peerId} element ${b.el} → ${v.el}, currentTime ${b.currentTime.toFixed(2)} → ${v.currentTime.toFixed(2)} s, frames ${b.frames} → ${v.frames}, srcObject sets ${b.srcSets} → ${v.srcSets}`;
        })
        .join('; ')}\n  tracks: ${JSON.stringify(tracks)}`,
    );
    for (const b of before.videos) {
      const a = after.videos.find((v) => v.peerId === b.peerId)!;
      expect(a.el, `${b.peerId}: the same <video> element`).toBe(b.el);
      expect(a.srcSets, `${b.peerId}: srcObject not assigned again`).toBe(b.srcSets);
      expect(a.currentTime).toBeGreaterThan(b.currentTime);
      expect(tracks[b.peerId]).toBe('audio live, video live');
    }
  });
});
