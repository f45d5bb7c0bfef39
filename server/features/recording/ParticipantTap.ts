// One recording run for one participant: a PlainTransport + paused consumer per track towards an
// ffmpeg that remuxes (no re-encoding) into ~N-second WebM segments. ffmpeg appends each finished
// segment to a CSV list; the tap reads the list and reports closed segments. Keyframes are
// requested at start and every segment period so that segments can be cut.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { types as ms } from 'mediasoup';
import { freePortPair, sdpFor, type RtpPortRange, type SdpStream } from './ffmpeg-input.js';

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
  readonly startedAtMs: number;
  readonly #transports: ms.PlainTransport[];
  readonly #consumers: ms.Consumer[];
  readonly #ffmpeg: ChildProcess;
  readonly #listFile: string;
  /** ffmpeg's RTP port per consumer (RTCP on the next one). */
  readonly #targets: readonly number[];
  readonly #exited: Promise<void>;
  readonly #timers: NodeJS.Timeout[] = [];
  #reported = 0;
  #stopping: Promise<void> | null = null;
  #stderrTail = '';

  private constructor(
    options: ParticipantTapOptions,
    transports: ms.PlainTransport[],
    consumers: ms.Consumer[],
    ffmpeg: ChildProcess,
    listFile: string,
    targets: readonly number[],
  ) {
    super();
    this.#targets = targets;
    this.#transports = transports;
    this.#consumers = consumers;
    this.#ffmpeg = ffmpeg;
    this.#listFile = listFile;
    this.kinds = consumers.map((c) => c.kind);
    this.startedAtMs = Date.now();
    // 'error' (ffmpeg missing, spawn refused) may come instead of 'exit'.
    this.#exited = new Promise((resolve) => {
      ffmpeg.once('exit', () => resolve());
      ffmpeg.once('error', (err) => {
        this.#stderrTail += `\n${err.message}`;
        resolve();
      });
    });
    ffmpeg.stderr?.on('data', (d: Buffer) => (this.#stderrTail = (this.#stderrTail + d.toString()).slice(-2000)));
    this.#timers.push(setInterval(() => this.#poll(), 500));
    const keyframes = () => this.requestKeyFrame();
    // ffmpeg needs a keyframe to learn the video's parameters; a busy sender may miss the first request.
    for (const ms of [300, 800, 1500, 2500, 4000]) this.#timers.push(setTimeout(keyframes, ms));
    this.#timers.push(setInterval(keyframes, options.segmentSeconds * 1000));
    void this.#exited.then(() => void this.stop());
  }

  static async create(options: ParticipantTapOptions): Promise<ParticipantTap> {
    mkdirSync(options.dir, { recursive: true });
    const transports: ms.PlainTransport[] = [];
    const consumers: ms.Consumer[] = [];
    const streams: SdpStream[] = [];
    const targets: number[] = [];
    try {
      for (const producer of options.producers) {
        const t = await options.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: false });
        transports.push(t);
        const c = await t.consume({
          producerId: producer.id,
          rtpCapabilities: options.router.rtpCapabilities,
          paused: true,
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
        ...['-protocol_whitelist', 'file,udp,rtp', '-analyzeduration', '10000000', '-probesize', '20000000'],
        ...['-i', sdpFile, '-map', '0', '-c', 'copy'],
        ...['-f', 'segment', '-segment_time', String(options.segmentSeconds), '-segment_format', 'webm'],
        ...['-reset_timestamps', '1', '-segment_list', listFile, '-segment_list_type', 'csv'],
        join(options.dir, `${options.prefix}-%05d.webm`),
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    const tap = new ParticipantTap(options, transports, consumers, ffmpeg, listFile, targets);
    // ffmpeg binds its ports while it starts; RTP sent before that is simply lost.
    await new Promise((r) => setTimeout(r, 250));
    for (let i = 0; i < transports.length; i++) {
      await transports[i]!.connect({ ip: '127.0.0.1', port: targets[i]!, rtcpPort: targets[i]! + 1 });
      await consumers[i]!.resume();
    }
    return tap;
  }

  /** Lets ffmpeg finish the open segment ('q'), then closes the engine side. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const t of this.#timers) clearInterval(t);
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
    return this.#stderrTail;
  }

  #poll(): void {
    for (const s of readClosedSegments(this.#listFile).slice(this.#reported)) {
      this.#reported++;
      this.emit('segment', s);
    }
  }
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
