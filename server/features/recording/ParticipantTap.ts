// One recording run for one participant: a PlainTransport + paused consumer per track towards an
// ffmpeg that remuxes (no re-encoding) into ~N-second WebM segments. ffmpeg appends each finished
// segment to a CSV list; the tap reads the list and reports closed segments. Consumers resume only
// once ffmpeg listens, and a keyframe is asked for at that moment (video before the first keyframe
// cannot be recorded), then at every segment boundary so that segments can be cut, and as soon as the
// sender's video comes back after silence (a network outage).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { types as ms } from 'mediasoup';
import { freePortPair, sdpFor, type RtpPortRange, type SdpStream } from './ffmpeg-input.js';
import { LayerSelector } from './layer-selector.js';
import { monotonicMs, senderRequestSpacingMs, SenderWatch } from './sender-watch.js';

/** Higher than any layered (SVC) producer here has: the worker clamps it to the top one. */
const topSpatialLayer = 15;

export interface ClosedSegment {
  /** File name inside the tap's folder. */
  readonly name: string;
  /** Seconds from the start of this run, as ffmpeg reports them. */
  readonly startSec: number;
  readonly endSec: number;
}

export interface ParticipantTapOptions {
  readonly router: ms.Router;
  readonly producers: readonly ms.Producer[];
  readonly dir: string;
  /** Prefix that keeps file names of successive runs apart, e.g. 'r0003'. */
  readonly prefix: string;
  readonly segmentSeconds: number;
  readonly ffmpegBin?: string;
  readonly ports?: RtpPortRange;
}

export class ParticipantTap extends EventEmitter<{ segment: [ClosedSegment]; closed: [] }> {
  readonly kinds: readonly ('audio' | 'video')[];
  /** When the consumers were resumed: ffmpeg's clock (a segment's startSec) counts from about here. */
  readonly startedAtMs: number;
  /** The same instant on the monotonic clock that the mediasoup worker stamps its trace events with. */
  readonly #startedAtMono: number;
  /** Video keyframes the worker sent to ffmpeg: the first one's time stamp (monotonic ms) and how many. */
  readonly #keyFrames: KeyFrames;
  /** Requests the worker sent to the senders and keyframes they sent back, since their producers appeared. */
  readonly #watches: readonly SenderWatch[];
  /** This tap's own steps (asks, layer choices, the consumers' layer switches), monotonic ms. */
  readonly #notes: { what: string; mono: number }[] = [];
  /** The sender had sent no video yet when the run resumed (its transport still connecting). */
  readonly #unsentAtStart: boolean;
  /** When the tap was created (monotonic ms): its trace shows a second before that. */
  readonly #createdMono: number;
  readonly #transports: TapTransport[];
  readonly #consumers: TapConsumer[];
  readonly #ffmpeg: ChildProcess;
  readonly #listFile: string;
  /** ffmpeg's RTP port per consumer (RTCP on the next one). */
  readonly #targets: readonly number[];
  readonly #exited: Promise<void>;
  readonly #timers: NodeJS.Timeout[] = [];
  /** Repeats keyframe requests until one arrives (run start, sender back after silence). */
  #asking: NodeJS.Timeout | undefined;
  /** Each time the sender's video came back after silence: when, and when its first keyframe went to ffmpeg. */
  readonly #recoveries: { backMono: number; keyMono: number | null }[] = [];
  /** The sender's video went silent (the worker scored it 0): keyframe requests would be lost. */
  #silent = false;
  #reported = 0;
  #stopping: Promise<void> | null = null;
  /** The end of ffmpeg's stderr (and a spawn error), for diagnostics. */
  readonly #stderr: { tail: string };

  private constructor(
    options: ParticipantTapOptions,
    transports: TapTransport[],
    consumers: TapConsumer[],
    ffmpeg: ChildProcess,
    listFile: string,
    targets: readonly number[],
    exited: Promise<void>,
    stderr: { tail: string },
    started: { wallMs: number; monoMs: number },
    keyFrames: KeyFrames,
    watches: readonly SenderWatch[],
    createdMono: number,
    notes: readonly { what: string; mono: number }[],
    unsentAtStart: boolean,
  ) {
    super();
    this.#unsentAtStart = unsentAtStart;
    this.#watches = watches;
    this.#createdMono = createdMono;
    this.#notes.push(...notes);
    this.#transports = transports;
    this.#consumers = consumers;
    this.#ffmpeg = ffmpeg;
    this.#listFile = listFile;
    this.#targets = targets;
    this.kinds = consumers.map((c) => c.kind);
    this.startedAtMs = started.wallMs;
    this.#startedAtMono = started.monoMs;
    this.#keyFrames = keyFrames;
    this.#exited = exited;
    this.#stderr = stderr;
    this.#timers.push(setInterval(() => this.#poll(), 500));
    for (const c of consumers.filter((x) => x.kind === 'video')) {
      c.on('trace', (t) => {
        const last = this.#recoveries.at(-1);
        if (t.type === 'keyframe' && t.direction === 'out' && last && last.keyMono === null) last.keyMono = t.timestamp;
      });
      // After a network outage the sender's first frames depend on lost ones: nothing can be recorded
      // until a keyframe, and waiting for the next segment boundary (or for NACK retries to give up)
      // lost 1–3 s more than the outage. The worker scores the producer 0 after 1.5 s without packets;
      // the first packet back scores it again: ask then.
      c.on('score', ({ producerScore }) => {
        if (producerScore === 0 && !this.#silent) {
          this.#silent = true;
          this.#note('silent');
        } else if (producerScore > 0 && this.#silent) {
          this.#silent = false;
          this.#note('back');
          this.#recoveries.push({ backMono: monotonicMs(), keyMono: null });
          this.#askUntilKeyFrame();
        }
      });
      c.on('producerresume', () => this.#askUntilKeyFrame());
      c.on('layerschange', (l) => this.#note(`cur L${l?.spatialLayer ?? '-'}`));
    }
    // The run starts now (consumers just resumed): ask at once; then at every boundary of ffmpeg's
    // clock, which started with this run. A request to a silent sender is lost, and the worker would
    // hold back the next one (after the link heals) for up to a second while it waits on the first.
    this.#askUntilKeyFrame();
    this.#timers.push(setInterval(() => this.#silent || this.requestKeyFrame(), options.segmentSeconds * 1000));
    void this.#exited.then(() => void this.stop());
  }

  /**
   * From the run's start to its first video keyframe reaching ffmpeg, in the worker's own time stamps:
   * on a loaded machine the worker's notification reaches this process's event loop a few hundred ms
   * late (measured: keyframe sent 46 ms after the request, seen here 267 ms after that), which is no
   * delay of the recording. Null: no keyframe came (or no video).
   */
  get keyFrameWaitMs(): number | null {
    const first = this.#keyFrames.firstMono;
    return first === null ? null : Math.max(0, first - this.#videoFromMono());
  }

  /**
   * From the run's start to when the sender's video was there for it: 0 when the sender was sending;
   * later when its first packets came after the run started (a producer whose transport was still
   * connecting: its first frame is a keyframe) or when it came back from silence (the worker scored
   * it 0) before the run's first keyframe. The keyframe wait counts from here: what the sender did
   * not send, no recorder could keep.
   */
  get videoFromMs(): number {
    return Math.round(this.#videoFromMono() - this.#startedAtMono);
  }

  #videoFromMono(): number {
    let from = this.#startedAtMono;
    if (this.#unsentAtStart)
      from = Math.max(from, Math.min(...this.#watches.map((w) => w.firstMediaSince(this.#startedAtMono) ?? from)));
    const first = this.#keyFrames.firstMono ?? Infinity;
    // The worker scores a sender 0 after 1.5 s without packets: only a sender that stopped within the
    // run's first 0.3 s (the bound on the wait) counts as not sending from the start.
    const silent = this.#notes.find(
      (n) => n.what === 'silent' && n.mono < first && n.mono - 1500 <= this.#startedAtMono + 300,
    );
    if (!silent) return from;
    // Its return: the first packets the worker stamped after the silence (the score event that tells
    // this process comes later on a busy event loop).
    const back = Math.min(...this.#watches.map((w) => w.firstMediaSince(silent.mono) ?? Infinity));
    return Number.isFinite(back) ? Math.max(from, back) : from;
  }

  /**
   * What passed between the worker and the sender's browser from the tap's creation until the run's
   * first keyframe, in ms from the run's start: 'ask' (this tap asked), 'pli Ln' (the worker asked the
   * sender for layer n), 'key Ln' (a keyframe of layer n came in), 'up Ln' (layer n's first packets),
   * 'cur Ln' (the run's consumer switched to layer n). Explains a slow first keyframe.
   */
  get senderTrace(): string {
    const first = this.#keyFrames.firstMono ?? Infinity;
    const from = this.#createdMono - 1000;
    const events = [
      ...this.#watches.flatMap((w) => w.events(from).map((e) => ({ what: `${e.what} L${e.layer}`, mono: e.mono }))),
      ...this.#notes,
    ];
    // The sender's side up to the first keyframe; this run's own layer steps a while longer (the raise
    // to the top layer after a first keyframe from a lower one).
    return events
      .filter((e) => e.mono <= first + (e.what.startsWith('cur') || e.what.startsWith('prefer') ? 2000 : 50))
      .sort((a, b) => a.mono - b.mono)
      .map((e) => `${e.what} ${Math.round(e.mono - this.#startedAtMono)}`)
      .join(', ');
  }

  /**
   * Each time the sender's video came back after silence (a network outage): from the worker's first
   * score of it to the first keyframe sent to ffmpeg, and what passed with the sender meanwhile (ms
   * from its return; 'silent' when the worker scored it 0).
   */
  get recoveries(): string[] {
    return this.#recoveries.map(({ backMono, keyMono }) => {
      const until = keyMono ?? backMono + 5000;
      const events = [
        ...this.#watches.flatMap((w) =>
          w.events(backMono - 3000).map((e) => ({ what: `${e.what} L${e.layer}`, mono: e.mono })),
        ),
        ...this.#notes.filter((n) => n.mono >= backMono - 3000),
      ]
        .filter((e) => e.mono <= until + 50)
        .sort((a, b) => a.mono - b.mono)
        .map((e) => `${e.what} ${Math.round(e.mono - backMono)}`);
      return `back at ${Math.round(backMono - this.#startedAtMono)} ms of the run, first keyframe after ${keyMono === null ? '(none)' : `${Math.round(keyMono - backMono)} ms`} (${events.join(', ')})`;
    });
  }

  #note(what: string): void {
    this.#notes.push({ what, mono: monotonicMs() });
    // The run's start and its latest recoveries are what the notes explain; a long run drops the middle.
    if (this.#notes.length > 300) this.#notes.splice(100, 100);
  }

  /**
   * Asks for a keyframe now and every 250 ms until one went out to ffmpeg, for at most 5 s: a repeat
   * while the first is pending makes the worker ask the sender again after 1 s (a busy sender may miss
   * a request). Not more often: the worker's notice of the keyframe reaches a busy event loop late,
   * and a request after the keyframe came makes the sender encode another one for nothing.
   */
  #askUntilKeyFrame(of: KeyFrameOf = 'any'): void {
    if (!this.kinds.includes('video') || this.#stopping) return;
    clearInterval(this.#asking);
    const before = this.#keyFramesOf(of);
    this.#note(of === 'top' ? 'ask top' : 'ask');
    this.requestKeyFrame();
    const until = Date.now() + 5000;
    this.#asking = setInterval(() => {
      if (this.#keyFramesOf(of) > before || this.#stopping || Date.now() > until) clearInterval(this.#asking);
      else this.requestKeyFrame();
    }, 250);
  }

  #keyFramesOf(of: KeyFrameOf): number {
    return of === 'top' ? this.#keyFrames.top : this.#keyFrames.count;
  }

  /**
   * Resolves true once a keyframe asked for now reached ffmpeg ('top': one of the sender's full
   * resolution, which a simulcast sender may start only after the request), false after timeoutMs
   * (or when the tap stops first).
   */
  async freshKeyFrame(timeoutMs: number, of: KeyFrameOf = 'any'): Promise<boolean> {
    const before = this.#keyFramesOf(of);
    this.#askUntilKeyFrame(of);
    const until = Date.now() + timeoutMs;
    while (this.#keyFramesOf(of) === before && !this.#stopping && Date.now() < until) await delay(50);
    return this.#keyFramesOf(of) > before;
  }

  static async create(options: ParticipantTapOptions): Promise<ParticipantTap> {
    mkdirSync(options.dir, { recursive: true });
    const createdMono = monotonicMs();
    const videoProducers = options.producers.filter((p) => p.kind === 'video');
    const watches = videoProducers.map((p) => SenderWatch.of(p));
    const transports: TapTransport[] = [];
    const consumers: TapConsumer[] = [];
    const streams: SdpStream[] = [];
    const targets: number[] = [];
    try {
      for (const producer of options.producers) {
        if (producer.kind === 'video' && producer.type === 'simulcast') {
          // Every layer into this process, one to ffmpeg: see layer-selector.ts for why not the
          // engine's simulcast consumer. It records the best layer the sender is sending.
          const selector = await LayerSelector.create(options.router, producer);
          transports.push(selector);
          consumers.push(selector);
          const port = await freePortPair(options.ports);
          targets.push(port);
          streams.push({ kind: 'video', port, rtpParameters: selector.rtpParameters });
          continue;
        }
        const t = await options.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: false });
        transports.push(t);
        // The evidence keeps the best picture: an SVC camera's top layer (mediasoup caps the number
        // to the layers the producer has), whatever the live receivers get.
        const c = await t.consume({
          producerId: producer.id,
          rtpCapabilities: options.router.rtpCapabilities,
          paused: true,
          preferredLayers: { spatialLayer: topSpatialLayer },
        });
        consumers.push(c);
        const port = await freePortPair(options.ports);
        targets.push(port);
        streams.push({ kind: c.kind, port, rtpParameters: c.rtpParameters });
      }
    } catch (err) {
      for (const t of transports) t.close();
      throw err;
    }
    const sdpFile = join(options.dir, `${options.prefix}.sdp`);
    const listFile = join(options.dir, `${options.prefix}.csv`);
    writeFileSync(sdpFile, sdpFor(streams));
    const ffmpeg = spawn(
      options.ffmpegBin ?? 'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'warning', '-nostats'],
        // ffmpeg writes nothing (and ignores 'q') until it has probed every stream: by default that takes
        // 20 video frames to guess a frame rate (seconds from a loaded browser), and a run stopped
        // before that (a restart, a leave) was lost whole. The first keyframe tells all that copying needs.
        ...['-protocol_whitelist', 'file,udp,rtp', '-analyzeduration', '10000000', '-probesize', '20000000'],
        '-fpsprobesize',
        '0',
        ...['-i', sdpFile, '-map', '0', '-c', 'copy'],
        ...['-f', 'segment', '-segment_time', String(options.segmentSeconds), '-segment_format', 'webm'],
        ...['-reset_timestamps', '1', '-segment_list', listFile, '-segment_list_type', 'csv'],
        join(options.dir, `${options.prefix}-%05d.webm`),
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    const stderr = { tail: '' };
    ffmpeg.stderr?.on('data', (d: Buffer) => (stderr.tail = (stderr.tail + d.toString()).slice(-2000)));
    // 'error' (ffmpeg missing, spawn refused) may come instead of 'exit'.
    const exited = new Promise<void>((resolve) => {
      ffmpeg.once('exit', () => resolve());
      ffmpeg.once('error', (err) => {
        stderr.tail += `\n${err.message}`;
        resolve();
      });
    });
    // RTP sent before ffmpeg binds its ports is lost, and with it the keyframe that resuming asks
    // for: a busy machine can take a second to start ffmpeg, so wait until it listens.
    await untilListening(targets, exited);
    // Traces tell when the first keyframe reached ffmpeg (the start of the run's video). Listening
    // before the resume: a late event loop may read the first trace together with the resume's answer.
    const keyFrames: KeyFrames = { firstMono: null, count: 0, top: 0 };
    for (const c of consumers.filter((x) => x.kind === 'video'))
      c.on('trace', (t: { type: string; direction: string; timestamp: number; top?: boolean }) => {
        if (t.type !== 'keyframe' || t.direction !== 'out') return;
        keyFrames.firstMono ??= t.timestamp;
        keyFrames.count++;
        if (t.top !== false) keyFrames.top++;
      });
    await Promise.all(consumers.filter((c) => c.kind === 'video').map((c) => c.enableTraceEvent(['keyframe'])));
    for (let i = 0; i < transports.length; i++) {
      await transports[i]!.connect({ ip: '127.0.0.1', port: targets[i]!, rtcpPort: targets[i]! + 1 });
    }
    const notes: { what: string; mono: number }[] = [];
    // Chrome acts on one keyframe request per 300 ms: a run resumed (the worker asks at once) just
    // after the sender acted on a live receiver's request would have its request dropped, and the
    // worker would hold that layer's next one back for a second. Its video then waits until the
    // sender will act again. A request still unanswered counts too when the sender will have acted
    // on it: its answer may come just before the resume, seen here only later on a busy event loop
    // (room.test, request at -185 ms, keyframes at -26 ms, the run's request at +1 ms dropped: its
    // first keyframe after the worker's repeat, 1295 ms).
    const lastRequest = Math.max(-Infinity, ...watches.map((w) => w.lastActedRequestMono ?? -Infinity));
    const holdUntil = lastRequest + senderRequestSpacingMs;
    // Stamped before the request: the worker resumes (and asks for a keyframe) as soon as it reads it,
    // while the answer may reach a busy event loop much later.
    const started = { wallMs: Date.now(), monoMs: monotonicMs() };
    const unsentAtStart = videoProducers.length > 0 && videoProducers.every((p) => p.score.length === 0);
    if (holdUntil <= started.monoMs) await Promise.all(consumers.map((c) => c.resume()));
    else {
      // The hold runs beside the audio's resume (a channel round trip of up to 0.2 s on a loaded machine).
      const audio = Promise.all(consumers.filter((c) => c.kind !== 'video').map((c) => c.resume()));
      // Awaited only after the hold: a consumer closed meanwhile (its producer gone) must not reject unhandled, which
      // ends the process; the await below still throws it.
      audio.catch(() => undefined);
      const holdMs = holdUntil - monotonicMs();
      notes.push({ what: `hold ${Math.round(Math.max(0, holdMs))}`, mono: monotonicMs() });
      if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
      await Promise.all([audio, ...consumers.filter((c) => c.kind === 'video').map((c) => c.resume())]);
    }
    return new ParticipantTap(
      options,
      transports,
      consumers,
      ffmpeg,
      listFile,
      targets,
      exited,
      stderr,
      started,
      keyFrames,
      watches,
      createdMono,
      notes,
      unsentAtStart,
    );
  }

  /** Lets ffmpeg finish the open segment ('q'), then closes the engine side. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const t of this.#timers) clearInterval(t);
      clearInterval(this.#asking);
      if (this.#ffmpeg.pid !== undefined && this.#ffmpeg.exitCode === null && this.#ffmpeg.signalCode === null) {
        this.#ffmpeg.stdin?.on('error', () => undefined).end('q');
        // ffmpeg reads 'q' only between packets: once the sender is gone (a leave, a dead worker) it
        // waits in its socket read, and a signal then loses the open segment (seconds of the run's
        // end). An RTCP BYE for every stream is the end of input to ffmpeg: it finishes and lists
        // the open segment at once, whether packets still flow or not.
        await this.#sayBye();
        const kill = setTimeout(() => this.#ffmpeg.kill('SIGINT'), 4000);
        const hardKill = setTimeout(() => this.#ffmpeg.kill('SIGKILL'), 8000);
        await this.#exited;
        clearTimeout(kill);
        clearTimeout(hardKill);
      }
      for (const t of this.#transports) t.close();
      this.#poll();
      this.emit('closed');
    })();
    return this.#stopping;
  }

  /** Sends an RTCP BYE (RFC 3550 §6.6) for each consumer's SSRC to ffmpeg's RTCP port (ffmpeg 5.1 ends its input after a BYE per stream). */
  async #sayBye(): Promise<void> {
    const socket = createSocket('udp4');
    try {
      for (const [i, c] of this.#consumers.entries()) {
        const ssrc = c.rtpParameters.encodings?.[0]?.ssrc;
        if (ssrc === undefined) continue;
        // A compound packet, an empty receiver report then the BYE: ffmpeg drops RTP/RTCP datagrams
        // shorter than 12 bytes unread.
        const bye = Buffer.alloc(16);
        bye.writeUInt8(0x80, 0); // version 2, no report blocks
        bye.writeUInt8(201, 1); // RR
        bye.writeUInt16BE(1, 2); // length in 32-bit words minus one
        bye.writeUInt32BE(ssrc, 4);
        bye.writeUInt8(0x81, 8); // version 2, one source
        bye.writeUInt8(203, 9); // BYE
        bye.writeUInt16BE(1, 10);
        bye.writeUInt32BE(ssrc, 12);
        await new Promise<void>((r) => socket.send(bye, this.#targets[i]! + 1, '127.0.0.1', () => r()));
      }
    } finally {
      socket.close();
    }
  }

  /** Asks the sender for a keyframe, so the segment being written can be cut at the next boundary. */
  requestKeyFrame(): void {
    for (const c of this.#consumers)
      if (c.kind === 'video' && !c.closed) void c.requestKeyFrame().catch(() => undefined);
  }

  get diagnostics(): string {
    return this.#stderr.tail;
  }

  #poll(): void {
    for (const s of readClosedSegments(this.#listFile).slice(this.#reported)) {
      this.#reported++;
      this.emit('segment', s);
    }
  }
}

/** What ffmpeg's input is sent through: an engine transport, or a layer selector (simulcast video). */
type TapTransport = Pick<ms.PlainTransport, 'connect' | 'close'> | LayerSelector;
type TapConsumer = ms.Consumer | LayerSelector;

interface KeyFrames {
  firstMono: number | null;
  count: number;
  /** Keyframes of the full resolution: of the top layer of a simulcast camera, any of another one. */
  top: number;
}

/** Which keyframes a wait counts: any, or only those of the sender's full resolution. */
export type KeyFrameOf = 'any' | 'top';

/** Resolves once every port is bound by some process (Linux: /proc/net/udp*), or ffmpeg exited, or 5 s passed. */
async function untilListening(ports: readonly number[], exited: Promise<void>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 5000;
  while (!done && Date.now() < deadline) {
    const bound = boundUdpPorts();
    if (bound === null) return void (await new Promise((r) => setTimeout(r, 250)));
    if (ports.every((p) => bound.has(p))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Local UDP ports in use, or null where /proc/net/udp is not available (then the caller waits a fixed time). */
function boundUdpPorts(): Set<number> | null {
  const ports = new Set<number>();
  let found = false;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    if (!existsSync(table)) continue;
    found = true;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local) ports.add(parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return found ? ports : null;
}

/** Parses ffmpeg's CSV segment list (`name,start,end` per finished segment). */
export function readClosedSegments(listFile: string): ClosedSegment[] {
  if (!existsSync(listFile)) return [];
  return readFileSync(listFile, 'utf8')
    .split('\n')
    .map((line) => line.trim().split(','))
    .filter((f) => f.length === 3 && f[0]!.endsWith('.webm'))
    .map(([name, start, end]) => ({ name: name!, startSec: Number(start), endSec: Number(end) }));
}
