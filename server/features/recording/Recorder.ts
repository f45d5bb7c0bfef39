// The hidden subscriber (DESIGN §6). Recording starts with a session's first published track; each
// participant's tracks run through a ParticipantTap; every closed segment is fsynced, hashed and
// appended to the session's hash chain, one at a time. finish() seals manifest.json; at start-up,
// recordings a crash left open are sealed as 'interrupted' with the segments that had closed.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { RecordingStateView } from '../../../protocol/media.js';
import {
  recordingParticipantOf,
  screenShareParticipant,
  type RecordableProducer,
  type RecordableRoom,
} from './RecordableRoom.js';
import type { RtpPortRange } from './ffmpeg-input.js';
import { CompositeJob, compositePath } from './CompositeJob.js';
import { fsyncFile, hashFile, recordingDirectory, safeName, writeDurably } from './files.js';
import { ConflictError } from '../../kernel/errors.js';
import { grabFrame } from './frame-grab.js';
import { entryTrackPrefix, genesis, isMediaSegment, nextHead, snapshotTrackPrefix } from './hash-chain.js';
import { buildManifest, manifestBytes, manifestName, sealName, sha256Hex, type ManifestSeal } from './manifest.js';
import { ParticipantTap, readClosedSegments } from './ParticipantTap.js';
import { SenderWatch } from './sender-watch.js';
import type { Checkpoint, RecordingRow, RecordingStore, SegmentRow } from './RecordingStore.js';
import { stopStaleWriters } from './stale-writers.js';

export interface RecorderOptions {
  readonly store: RecordingStore;
  /** Recordings go to <dataDir>/recordings/<session>/. */
  readonly dataDir: string;
  readonly segmentSeconds?: number;
  /** Absent: manifests are written unsealed (and verification reports the seal as missing). */
  readonly seal?: ManifestSeal;
  readonly ffmpegBin?: string;
  readonly ports?: RtpPortRange;
  readonly clock?: () => Date;
  /** Cluster mode: which open recordings are another live node's (absent: every open one is this node's). */
  readonly ownership?: RecordingOwnership;
}

/**
 * In a cluster the recordings table is shared: an open recording may be one that another media node
 * records right now. Only a recording whose node is gone is this node's to seal as interrupted.
 */
export interface RecordingOwnership {
  /** Another live media node hosts the session's room (and so records it). */
  recordedElsewhere(sessionId: string): Promise<boolean>;
  /** This node may seal the session's orphaned recording now: no other node is sealing it (a claim that expires). */
  claimSeal(sessionId: string): Promise<boolean>;
  /** How long a node that died may still look alive (its heartbeat's time to live). */
  readonly staleAfterMs: number;
}

/** A frame of a participant's recorded video, chained as its own link of the recording. */
export interface CapturedFrame {
  /** JPEG */
  readonly image: Buffer;
  readonly sha256: string;
  /** Milliseconds from the recording's start: the instant the frame was asked for. */
  readonly offsetMs: number;
  /** The chain link that holds the image. */
  readonly index: number;
  readonly chainHash: string;
  /** The media segment the frame was decoded from. */
  readonly sourceSegment: number;
}

/** A record chained as its own link of the recording (see appendEntry). */
export interface ChainedEntry {
  readonly sha256: string;
  /** Milliseconds from the recording's start. */
  readonly offsetMs: number;
  readonly index: number;
  readonly chainHash: string;
}

export interface RecordedRun {
  /** File prefix of the run's segments, e.g. 'r0002'. */
  readonly prefix: string;
  readonly kinds: readonly ('audio' | 'video')[];
  /** Milliseconds from the recording's start to the run's start (its consumers resumed). */
  readonly startMs: number;
  /**
   * From when the sender's video was there for the run (videoFromMs) to its first keyframe reaching
   * ffmpeg; null: none came (or no video).
   */
  readonly keyFrameWaitMs: number | null;
  /** From the run's start to when the sender's video was there (0: it was sending; later: its first packets, or its return from silence). */
  readonly videoFromMs: number;
  /** Requests to the sender and its keyframes around the run's start (ms from it), explaining the wait. */
  readonly senderTrace: string;
  /** Each return of the sender's video after silence (an outage): how long its first keyframe took, and why. */
  readonly recoveries: readonly string[];
}

export interface CompositeState {
  readonly status: 'rendering' | 'ready' | 'failed';
  /** 0..1 */
  readonly progress: number;
}

export interface FinishedRecording {
  readonly sessionId: string;
  readonly status: 'sealed' | 'interrupted';
  readonly dir: string;
  readonly head: string;
  readonly segmentCount: number;
  readonly sealed: boolean;
}

/** A frame as it is at this instant, or a sharp still of a card, a face or a document (captureFrame). */
export type FrameMode = 'instant' | 'still';

/**
 * A snapshot's timing: the sender gets STILL_APPLY_MS to switch to its full resolution (asked any
 * sooner, the keyframe may be of the layer it leaves), a keyframe of that resolution is awaited (a
 * busy sender starts its top simulcast layer seconds after the hold: a keyframe of a lower layer gave
 * 320×180 stills of an ID card; 3.5 s of waiting still did once in CI, on an idle machine), then a
 * still scene sharpens over STILL_SHARPEN_MS of frames; the hold outlasts all that.
 */
const STILL_APPLY_MS = 400;
const STILL_KEYFRAME_WAIT_MS = 6000;
const STILL_SHARPEN_MS = 600;
const STILL_HOLD_MS = 8000;

/** An orphaned recording that could not be sealed at start (see Recorder.create). */
export interface SealFailure {
  readonly sessionId: string;
  readonly reason: string;
  /** Another attempt will be made (cluster mode). */
  readonly retry: boolean;
}

interface Live {
  readonly room: RecordableRoom;
  readonly taps: Map<string, { tap: ParticipantTap; run: number }>;
  readonly runs: Map<string, number>;
  readonly pending: Map<string, NodeJS.Timeout>;
  /**
   * Serialises starting and stopping a participant's tap: a restart still waiting for its ffmpeg
   * must not be overtaken by the next one (both runs would record on), nor by a stop.
   */
  readonly steps: Map<string, Promise<void>>;
  /** Set when the room's recording stops: no tap starts after that. */
  ended: boolean;
  /** Serialises chain appends: segment i+1 waits for segment i. */
  chain: Promise<void>;
}

/** The chain's own marks that are no participant's (a recording resumed on another node) are filed under this id. */
const recorderParticipant = 'platform:recorder';

/** A dead node's recording that fails to seal this often is left open until the next start (reported each time). */
const maxRecoveryAttempts = 3;

/** After a producer appears, wait this long for the participant's other track before (re)starting. */
const settleMs = 300;

type RecorderEvents = {
  state: [RecordingStateView];
  segment: [sessionId: string, index: number];
  /** A participant's tracks could not be tapped (ffmpeg or ports unavailable): nothing is recorded for them. */
  tapFailed: [sessionId: string, peerId: string, reason: string];
  /** A recording run of one participant ended: when it started and how long its video waited for a keyframe. */
  runEnded: [sessionId: string, peerId: string, run: RecordedRun];
  /** The background composite of a finished recording is rendered in `dir` (told before compositeState says ready). */
  compositeRendered: [sessionId: string, dir: string];
  /** A recording left open by a node found dead after this one started was sealed as interrupted. */
  recovered: [FinishedRecording];
  /** Sealing a dead node's recording failed; `retry`: it is tried again later, else it stays open until the next start. */
  recoveryFailed: [sessionId: string, reason: string, retry: boolean];
};

export class Recorder extends EventEmitter<RecorderEvents> {
  readonly #o: RecorderOptions;
  readonly #live = new Map<string, Live>();
  readonly #finishing = new Map<string, Promise<FinishedRecording | null>>();
  /** Screen-share marks being chained, per session: finish() waits for them (a share stopped just before the end). */
  readonly #marks = new Map<string, Set<Promise<void>>>();
  readonly #clock: () => Date;
  /** Second looks at open recordings that looked another live node's when this one started. */
  readonly #laterChecks = new Set<NodeJS.Timeout>();
  readonly #composites = new Map<
    string,
    { job: CompositeJob; state: { status: CompositeState['status']; progress: number } }
  >();

  private constructor(options: RecorderOptions) {
    super();
    this.#o = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Creates the recorder and seals what a previous process left open. In a cluster, a recording whose
   * session another live node hosts is left to that node; it is looked at again once a dead node
   * would have dropped out (this node's own predecessor, restarted within that time, looks alive
   * until then), and sealed if its node is gone by then ('recovered'). Of several nodes finding the
   * same orphan, the one that claims it seals it; the others look again later, in case it died.
   */
  static async create(options: RecorderOptions): Promise<{
    recorder: Recorder;
    recovered: FinishedRecording[];
    failed: SealFailure[];
  }> {
    const recorder = new Recorder(options);
    const recovered: FinishedRecording[] = [];
    const failed: SealFailure[] = [];
    const ownership = options.ownership;
    for (const row of await options.store.open()) {
      if (
        ownership &&
        ((await ownership.recordedElsewhere(row.sessionId)) || !(await ownership.claimSeal(row.sessionId)))
      ) {
        recorder.#recoverLater(row.sessionId);
        continue;
      }
      try {
        recovered.push(await recorder.#recover(row));
      } catch (err) {
        // One recording that cannot be sealed does not keep the node from starting; a cluster node tries again.
        failed.push({ sessionId: row.sessionId, reason: (err as Error).message, retry: ownership !== undefined });
        if (ownership) recorder.#recoverLater(row.sessionId, 1);
      }
    }
    return { recorder, recovered, failed };
  }

  #recoverLater(sessionId: string, failures = 0): void {
    const ownership = this.#o.ownership!;
    const timer = setTimeout(() => {
      this.#laterChecks.delete(timer);
      void this.#recoverIfOrphaned(sessionId).catch((err: unknown) => {
        const retry = failures + 1 < maxRecoveryAttempts;
        this.emit('recoveryFailed', sessionId, (err as Error).message, retry);
        if (retry) this.#recoverLater(sessionId, failures + 1);
      });
    }, ownership.staleAfterMs + 1000);
    timer.unref();
    this.#laterChecks.add(timer);
  }

  async #recoverIfOrphaned(sessionId: string): Promise<void> {
    const ownership = this.#o.ownership!;
    const row = await this.#o.store.get(sessionId);
    // Sealed meanwhile (by another node), or moved to this node: nothing to do.
    if (row?.status !== 'recording' || this.#live.has(sessionId)) return;
    if (await ownership.recordedElsewhere(sessionId)) return;
    // Another node is sealing it: looked at again, in case that node dies first.
    if (!(await ownership.claimSeal(sessionId))) return this.#recoverLater(sessionId);
    this.emit('recovered', await this.#recover(row));
  }

  attach(room: RecordableRoom): void {
    const sessionId = room.sessionId;
    const previous = this.#live.get(sessionId);
    const live: Live = {
      room,
      taps: new Map(),
      runs: previous?.runs ?? new Map(),
      pending: new Map(),
      steps: new Map(),
      ended: false,
      chain: previous?.chain ?? Promise.resolve(),
    };
    this.#live.set(sessionId, live);
    // A room recorded here before (reopened, or rebuilt after a worker death) left its Live: only a
    // session new to this recorder can be one resumed from another node.
    if (!previous) void this.#markResumed(sessionId);
    // A screen share is one track with nothing to wait for: its run starts (and ends) with it.
    const schedule = (p: RecordableProducer) => {
      const peerId = recordingParticipantOf(p);
      clearTimeout(live.pending.get(peerId));
      live.pending.set(
        peerId,
        setTimeout(
          () => {
            live.pending.delete(peerId);
            void this.#step(live, peerId, () => this.#restartTap(live, peerId));
          },
          p.source === 'screen' ? 0 : settleMs,
        ),
      );
    };
    room.on('newProducer', (p) => {
      // The session's timeline starts with its first published track, not when a tap is ready: the
      // instant is taken now, the row written in turn (a failure shows when the tap starts).
      void this.#ensureRecording(sessionId, this.#clock()).catch(() => undefined);
      // The run that will record this track asks for its first keyframe knowing every request the
      // sender had since it appeared (see SenderWatch): watched from now on.
      const engine = room.findProducer(p.id);
      if (engine?.kind === 'video') SenderWatch.of(engine);
      schedule(p);
      if (p.source === 'screen') void this.#markScreenShare(live, p, 'start');
    });
    room.on('producerClosed', (p) => {
      schedule(p);
      if (p.source === 'screen') void this.#markScreenShare(live, p, 'stop');
    });
    room.on('peerLeft', (peerId) => {
      for (const id of [peerId, screenShareParticipant(peerId)])
        void this.#step(live, id, () => this.#stopTap(live, id));
    });
    room.once('closed', () => void this.#stopAll(live));
  }

  /** Is the session's room attached here (its recording runs in this process)? */
  records(sessionId: string): boolean {
    return this.#live.has(sessionId);
  }

  async state(sessionId: string): Promise<RecordingStateView> {
    return stateOf(sessionId, await this.#o.store.get(sessionId));
  }

  /** The live chain head for documents to embed, recorded in the checkpoint table. */
  async checkpoint(sessionId: string): Promise<Checkpoint & { readonly takenAt: string }> {
    const row = await this.#o.store.get(sessionId);
    const now = this.#clock();
    const cp: Checkpoint = row
      ? {
          head: row.head,
          segmentCount: row.segmentCount,
          offsetMs: Math.max(0, now.getTime() - Date.parse(row.startedAt)),
        }
      : { head: genesis(sessionId), segmentCount: 0, offsetMs: 0 };
    if (row) await this.#o.store.addCheckpoint(sessionId, cp, now.toISOString());
    return { ...cp, takenAt: now.toISOString() };
  }

  /**
   * A frame of the participant's video from the recording itself: the segment covering the instant
   * is awaited (chained), decoded up to it, and the JPEG is appended to the chain. 'instant' is this
   * instant's frame (liveness: motion over time). 'still' (a card, a face, a document) is a sharp
   * one: the sender's camera is asked for its full resolution alone for a moment (its top simulcast
   * layer may be off on a weak or busy link, and a card's print is unreadable in a lower one), the
   * tap for a keyframe of it, and the frame is taken once a still scene has sharpened.
   */
  async captureFrame(sessionId: string, peerId: string, label: string, mode: FrameMode): Promise<CapturedFrame> {
    const live = this.#live.get(sessionId);
    const row = await this.#o.store.get(sessionId);
    if (!live || !row || row.status !== 'recording')
      throw new ConflictError('the session is not being recorded', 'recording_not_running');
    const tap = live.taps.get(peerId)?.tap;
    if (!tap?.kinds.includes('video'))
      throw new ConflictError(`no recorded video of ${peerId}`, 'snapshot_unavailable');
    if (mode === 'still') {
      live.room.holdFullResolution(peerId, STILL_HOLD_MS);
      await delay(STILL_APPLY_MS);
      if (await tap.freshKeyFrame(STILL_KEYFRAME_WAIT_MS, 'top')) await delay(STILL_SHARPEN_MS);
    }
    const offsetMs = Math.max(0, this.#clock().getTime() - Date.parse(row.startedAt));
    // A keyframe now also closes the segment being written sooner.
    tap.requestKeyFrame();
    const segmentMs = (this.#o.segmentSeconds ?? 4) * 1000;
    const source = await this.#segmentCovering(sessionId, peerId, offsetMs, 3 * segmentMs + 10_000);
    const dir = this.#dirOf(row);
    // A fresh name per request: two snapshots asked for at once must not write the same file.
    const file = join(safeName(peerId), `snapshot-${randomUUID()}-${safeName(label)}.jpg`);
    mkdirSync(join(dir, safeName(peerId)), { recursive: true });
    try {
      await grabFrame(join(dir, source.file), (offsetMs - source.startMs) / 1000, join(dir, file), this.#o.ffmpegBin);
    } catch (err) {
      throw new ConflictError(
        `no frame of ${peerId}: ${err instanceof Error ? err.message : String(err)}`,
        'snapshot_unavailable',
      );
    }
    const link = await this.#chainLink(live, sessionId, peerId, `${snapshotTrackPrefix}${label}`, file, offsetMs);
    if (!link) throw new ConflictError('the snapshot could not be chained', 'snapshot_unavailable');
    return {
      image: readFileSync(join(dir, file)),
      sha256: link.sha256,
      offsetMs,
      index: link.index,
      chainHash: link.chainHash,
      sourceSegment: source.index,
    };
  }

  /**
   * Appends a record of the session (bytes: JSON, or a material as uploaded) to its chain as its own
   * link, at this instant's offset, in the participant's folder, on track `entry:<label>`: what the
   * server concluded, or was given, sits in the chain beside the media it concluded it from.
   */
  async appendEntry(
    sessionId: string,
    peerId: string,
    label: string,
    bytes: Uint8Array,
    ext = 'json',
  ): Promise<ChainedEntry> {
    const live = this.#live.get(sessionId);
    const row = await this.#o.store.get(sessionId);
    if (!live || !row || row.status !== 'recording')
      throw new ConflictError('the session is not being recorded', 'recording_not_running');
    const offsetMs = Math.max(0, this.#clock().getTime() - Date.parse(row.startedAt));
    const dir = this.#dirOf(row);
    const file = join(safeName(peerId), `entry-${randomUUID()}-${safeName(label)}.${safeName(ext)}`);
    mkdirSync(join(dir, safeName(peerId)), { recursive: true });
    await writeDurably(join(dir, file), bytes);
    const link = await this.#chainLink(live, sessionId, peerId, `${entryTrackPrefix}${label}`, file, offsetMs);
    if (!link) throw new ConflictError('the entry could not be chained', 'recording_not_running');
    return { sha256: link.sha256, offsetMs, index: link.index, chainHash: link.chainHash };
  }

  /**
   * A share's start or stop as its own chain link (`entry:screen-share-start` / `-stop`, in the
   * sharer's folder): the auditor timeline's marks. Without a running recording there is nothing to mark.
   */
  async #markScreenShare(live: Live, p: RecordableProducer, event: 'start' | 'stop'): Promise<void> {
    const sessionId = live.room.sessionId;
    const peer = live.room.peers().find((x) => x.id === p.peerId);
    const record = { event, producerId: p.id, sharer: p.peerId, displayName: peer?.displayName ?? p.peerId };
    const at = this.#clock();
    await this.#mark(sessionId, async () => {
      if ((await this.#ensureRecording(sessionId, at)).status !== 'recording') return;
      await this.appendEntry(sessionId, p.peerId, `screen-share-${event}`, Buffer.from(JSON.stringify(record)));
    });
  }

  /**
   * The session's room opened on this node while its recording, begun by another node (or by this
   * node's predecessor), was open with links in it: the chain goes on here, and says so with its own
   * link (`entry:recording-resumed`, filed under the recorder), a mark on the auditor timeline. What
   * the lost node recorded and did not chain is missing between its last link and this one.
   */
  async #markResumed(sessionId: string): Promise<void> {
    await this.#mark(sessionId, async () => {
      const row = await this.#o.store.get(sessionId);
      if (row?.status !== 'recording' || row.segmentCount === 0) return;
      const record = {
        event: 'resumed',
        reason: 'the room of the session opened on another media node while its recording was open',
        linksBefore: row.segmentCount,
        headBefore: row.head,
      };
      await this.appendEntry(sessionId, recorderParticipant, 'recording-resumed', Buffer.from(JSON.stringify(record)));
    });
  }

  /** Runs a mark's chaining; registered before anything is awaited, so that finish() waits for it. */
  async #mark(sessionId: string, chain: () => Promise<void>): Promise<void> {
    const marks = this.#marks.get(sessionId) ?? new Set();
    this.#marks.set(sessionId, marks);
    const mark = chain().catch(() => undefined);
    marks.add(mark);
    await mark;
    marks.delete(mark);
  }

  /** Chains one file written at `offsetMs` as its own link, in turn with the segments; its row. */
  async #chainLink(
    live: Live,
    sessionId: string,
    peerId: string,
    track: string,
    file: string,
    offsetMs: number,
  ): Promise<SegmentRow | undefined> {
    const row = await this.#o.store.get(sessionId);
    if (!row) return undefined;
    const dir = this.#dirOf(row);
    const append = live.chain.then(() => this.#append(sessionId, peerId, track, dir, file, offsetMs, offsetMs));
    live.chain = append.catch(() => undefined);
    await append;
    return (await this.#o.store.segments(sessionId)).find((s) => s.file === file);
  }

  /** Waits for the chained video segment of `peerId` whose time span reaches `offsetMs`. */
  async #segmentCovering(sessionId: string, peerId: string, offsetMs: number, waitMs: number): Promise<SegmentRow> {
    const find = async () =>
      (await this.#o.store.segments(sessionId)).find(
        (s) => s.participant === peerId && s.track.includes('video') && isMediaSegment(s) && s.endMs >= offsetMs,
      );
    const deadline = Date.now() + waitMs;
    for (;;) {
      const found = await find();
      if (found) return found;
      if (Date.now() > deadline || !this.#live.has(sessionId))
        throw new ConflictError(`no recorded segment of ${peerId} reached this instant`, 'snapshot_unavailable');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops every tap (their open segments are finished and chained), then seals the manifest. */
  finish(sessionId: string): Promise<FinishedRecording | null> {
    // A session's end is announced more than once (its case closing and the session ending, both at
    // once): one seal, or two would each write a manifest and the second replace the first's files.
    let finishing = this.#finishing.get(sessionId);
    if (!finishing) {
      finishing = this.#finish(sessionId).finally(() => this.#finishing.delete(sessionId));
      this.#finishing.set(sessionId, finishing);
    }
    return finishing;
  }

  async #finish(sessionId: string): Promise<FinishedRecording | null> {
    // The session ends now; stopping the taps (ffmpeg closing its segments) only flushes what came before.
    const endedAt = this.#clock().toISOString();
    await Promise.all(this.#marks.get(sessionId) ?? []);
    this.#marks.delete(sessionId);
    const live = this.#live.get(sessionId);
    if (live) {
      await this.#stopAll(live);
      this.#live.delete(sessionId);
    }
    const row = await this.#o.store.get(sessionId);
    if (!row || row.status !== 'recording') return null;
    return this.#seal(row, 'complete', endedAt);
  }

  /** The background render started when the session's recording was sealed (this process only). */
  composite(sessionId: string): CompositeJob | undefined {
    return this.#composites.get(sessionId)?.job;
  }

  /** The composite's state: rendering here, or finished (now or by an earlier process), or failed. */
  async compositeState(sessionId: string): Promise<CompositeState | undefined> {
    const live = this.#composites.get(sessionId)?.state;
    if (live) return { ...live };
    const row = await this.#o.store.get(sessionId);
    return row && existsSync(compositePath(this.#dirOf(row))) ? { status: 'ready', progress: 1 } : undefined;
  }

  /** Shutdown: taps finish their open segments; the recordings stay open and are sealed as interrupted at the next start. */
  async close(): Promise<void> {
    for (const timer of this.#laterChecks) clearTimeout(timer);
    this.#laterChecks.clear();
    for (const { job } of this.#composites.values()) job.cancel();
    for (const live of this.#live.values()) await this.#stopAll(live);
    this.#live.clear();
  }

  #dir(sessionId: string): string {
    return recordingDirectory(this.#o.dataDir, sessionId);
  }

  /** The row's folder, or where it is now if the data directory moved since. */
  #dirOf(row: RecordingRow): string {
    return recordingDirectory(this.#o.dataDir, row.sessionId, row);
  }

  /** The session's recording, started at `at` unless it exists (insert-or-keep: the first start wins). */
  async #ensureRecording(sessionId: string, at: Date): Promise<RecordingRow> {
    const existing = await this.#o.store.get(sessionId);
    if (existing) return existing;
    const { row, created } = await this.#o.store.create(
      sessionId,
      this.#dir(sessionId),
      at.toISOString(),
      genesis(sessionId),
    );
    if (created) this.emit('state', stateOf(sessionId, row));
    return row;
  }

  /** Runs fn after every earlier start or stop of this participant's tap. */
  #step(live: Live, peerId: string, fn: () => Promise<void>): Promise<void> {
    const next = (live.steps.get(peerId) ?? Promise.resolve()).then(fn).catch(() => undefined);
    live.steps.set(peerId, next);
    return next;
  }

  /** Stops every tap of the room, including those still starting; their segments are chained. */
  async #stopAll(live: Live): Promise<void> {
    live.ended = true;
    for (const t of live.pending.values()) clearTimeout(t);
    const peers = new Set([...live.taps.keys(), ...live.steps.keys()]);
    await Promise.all([...peers].map((peerId) => this.#step(live, peerId, () => this.#stopTap(live, peerId))));
    await live.chain;
  }

  /**
   * Starts a run with the participant's current tracks, then stops the previous run: the two overlap
   * for as long as the new ffmpeg takes to start (a second or two on a loaded machine), so the switch
   * (the camera's track following the microphone's, a camera switched off) leaves no hole. Playback
   * cuts the previous run where the new one starts. When the new run cannot start (ffmpeg, ports), the
   * previous one goes on with whatever of its tracks remain.
   */
  async #restartTap(live: Live, peerId: string): Promise<void> {
    const started = await this.#startTap(live, peerId);
    if (started === 'failed') return;
    const previous = live.taps.get(peerId);
    if (started) live.taps.set(peerId, started);
    else live.taps.delete(peerId);
    if (previous) await previous.tap.stop();
  }

  /** A new run of the participant's current tracks; null when there is nothing (more) to record. */
  async #startTap(live: Live, peerId: string): Promise<{ tap: ParticipantTap; run: number } | 'failed' | null> {
    if (live.ended || live.room.closed || this.#live.get(live.room.sessionId) !== live) return null;
    const producers = live.room.producers().filter((p) => recordingParticipantOf(p) === peerId);
    const engineProducers = producers.map((p) => live.room.findProducer(p.id)).filter((p) => p !== undefined);
    if (engineProducers.length === 0) return null;
    const sessionId = live.room.sessionId;
    const row = await this.#ensureRecording(sessionId, this.#clock());
    const startedMs = Date.parse(row.startedAt);
    // peerId names the recording participant: the peer, or its screen share (filed as role 'screen').
    const owner = producers[0]!.peerId;
    const peer = live.room.peers().find((p) => p.id === owner);
    if (row.status !== 'recording') return null;
    await this.#o.store.addParticipant(sessionId, {
      id: peerId,
      displayName: peer?.displayName ?? owner,
      role: owner !== peerId ? 'screen' : (peer?.role ?? 'unknown'),
      firstSeenMs: Math.max(0, this.#clock().getTime() - startedMs),
    });
    const dir = join(this.#dirOf(row), safeName(peerId));
    const run = (live.runs.get(peerId) ?? (await this.#lastRun(sessionId, peerId, dir))) + 1;
    live.runs.set(peerId, run);
    const prefix = `r${String(run).padStart(4, '0')}`;
    const tap = await ParticipantTap.create({
      router: live.room.router,
      producers: engineProducers.sort((a, b) => a.kind.localeCompare(b.kind)),
      dir,
      prefix,
      segmentSeconds: this.#o.segmentSeconds ?? 4,
      ffmpegBin: this.#o.ffmpegBin,
      ports: this.#o.ports,
    }).catch((err: unknown) => {
      this.emit('tapFailed', sessionId, peerId, err instanceof Error ? err.message : String(err));
      return null;
    });
    if (!tap) return 'failed';
    const offsetMs = tap.startedAtMs - startedMs;
    tap.once('closed', () =>
      this.emit('runEnded', sessionId, peerId, {
        prefix,
        kinds: tap.kinds,
        startMs: offsetMs,
        keyFrameWaitMs: tap.keyFrameWaitMs,
        videoFromMs: tap.videoFromMs,
        senderTrace: tap.senderTrace,
        recoveries: tap.recoveries,
      }),
    );
    let firstStart: number | null = null;
    tap.on('segment', (seg) => {
      firstStart ??= seg.startSec;
      const startMs = Math.round(offsetMs + (seg.startSec - firstStart) * 1000);
      const endMs = Math.round(offsetMs + (seg.endSec - firstStart) * 1000);
      live.chain = live.chain
        .then(() => this.#append(sessionId, peerId, tap.kinds.join('+'), dir, seg.name, startMs, endMs))
        .catch(() => undefined);
    });
    return { tap, run };
  }

  /**
   * The participant's last run number in this recording: none on this node yet, but another node may
   * have recorded the session before its room moved here (a media node lost), in the chain and, with
   * a shared folder, on disk (its last run's files, chained or not). New runs are numbered after it,
   * so that no file name is chained twice and no file of theirs is overwritten.
   */
  async #lastRun(sessionId: string, peerId: string, dir: string): Promise<number> {
    const chained = (await this.#o.store.segments(sessionId))
      .filter((s) => s.participant === peerId)
      .map((s) => s.file.split('/').at(-1)!);
    const runs = [...chained, ...safeReaddir(dir)].map((name) => Number(/^r(\d{4})[-.]/.exec(name)?.[1] ?? 0));
    return Math.max(0, ...runs);
  }

  async #stopTap(live: Live, peerId: string): Promise<void> {
    const entry = live.taps.get(peerId);
    if (!entry) return;
    live.taps.delete(peerId);
    await entry.tap.stop();
  }

  /** Chains one closed segment file: fsync, hash, append (idempotent per file). */
  async #append(
    sessionId: string,
    participant: string,
    track: string,
    dir: string,
    name: string,
    startMs: number,
    endMs: number,
  ): Promise<void> {
    const { store } = this.#o;
    const before = await store.get(sessionId);
    if (!before) return;
    const path = join(dir, name);
    const file = relative(this.#dirOf(before), path);
    if (await store.hasFile(sessionId, file)) return;
    await fsyncFile(path);
    const { sha256, bytes } = await hashFile(path);
    // The head and the sequence number are read where the link is written, in one immediate
    // transaction (and the store's update is a compare-and-set on them): nothing chains in between.
    const appended = await store.atomically(async () => {
      const row = await store.get(sessionId);
      if (!row || (await store.hasFile(sessionId, file))) return undefined;
      const meta = { index: row.segmentCount, participant, track, startMs, endMs };
      await store.append(sessionId, row.head, {
        ...meta,
        file,
        bytes,
        sha256,
        chainHash: nextHead(row.head, sha256, meta),
      });
      return { row, index: meta.index };
    });
    if (!appended) return;
    this.emit('segment', sessionId, appended.index);
    this.emit('state', stateOf(sessionId, { ...appended.row, segmentCount: appended.index + 1 }));
  }

  /** Chains segments that ffmpeg had closed before the crash but that were not appended yet. */
  async #recover(row: RecordingRow): Promise<FinishedRecording> {
    // A killed server's ffmpeg processes may still hold this recording's files open.
    await stopStaleWriters(this.#dirOf(row));
    for (const participantDir of safeReaddir(this.#dirOf(row))) {
      const dir = join(this.#dirOf(row), participantDir);
      for (const list of safeReaddir(dir)
        .filter((f) => f.endsWith('.csv'))
        .sort()) {
        const segments = readClosedSegments(join(dir, list));
        const first = segments[0]?.startSec ?? 0;
        const participant =
          (await this.#o.store.participants(row.sessionId)).find((p) => safeName(p.id) === participantDir)?.id ??
          participantDir;
        const track = trackOfSdp(join(dir, list.replace(/\.csv$/, '.sdp')));
        for (const seg of segments) {
          const ms = (s: number) => Math.round((s - first) * 1000);
          await this.#append(row.sessionId, participant, track, dir, seg.name, ms(seg.startSec), ms(seg.endSec)).catch(
            () => undefined,
          );
        }
      }
    }
    return this.#seal((await this.#o.store.get(row.sessionId))!, 'interrupted', this.#clock().toISOString());
  }

  async #seal(row: RecordingRow, status: 'complete' | 'interrupted', endedAt: string): Promise<FinishedRecording> {
    const manifest = buildManifest(
      row,
      await this.#o.store.participants(row.sessionId),
      await this.#o.store.segments(row.sessionId),
      status,
      endedAt,
    );
    const bytes = manifestBytes(manifest);
    mkdirSync(this.#dirOf(row), { recursive: true });
    await writeDurably(join(this.#dirOf(row), manifestName), bytes);
    let sealed = false;
    if (this.#o.seal) {
      await writeDurably(join(this.#dirOf(row), sealName), await this.#o.seal.seal(bytes));
      sealed = true;
    }
    const finalStatus = status === 'complete' ? 'sealed' : 'interrupted';
    await this.#o.store.finish(row.sessionId, finalStatus, endedAt, sha256Hex(bytes), sealed);
    this.emit('state', stateOf(row.sessionId, { ...row, status: finalStatus }));
    const media = manifest.segments.filter(isMediaSegment);
    // Playback covers the session: start to end, or (after a crash, sealed much later) to the last segment.
    const lastMs = media.reduce((m, s) => Math.max(m, s.endMs), 0);
    const durationMs = status === 'complete' ? Math.max(0, Date.parse(endedAt) - Date.parse(row.startedAt)) : lastMs;
    const dir = this.#dirOf(row);
    const job = CompositeJob.start({
      dir,
      segments: media,
      durationMs,
      ffmpegBin: this.#o.ffmpegBin,
    });
    const state = { status: 'rendering' as CompositeState['status'], progress: 0 };
    job.on('progress', (p) => (state.progress = p));
    job.result.then(
      (rendered) => {
        if (rendered.composite) this.emit('compositeRendered', row.sessionId, dir);
        state.status = 'ready';
      },
      () => (state.status = 'failed'),
    );
    this.#composites.set(row.sessionId, { job, state });
    return {
      sessionId: row.sessionId,
      status: finalStatus,
      dir,
      head: manifest.chain.head,
      segmentCount: manifest.segments.length,
      sealed,
    };
  }
}

/** What the 'state' event and state() tell of a recording row (none yet: idle). */
function stateOf(sessionId: string, row: RecordingRow | undefined): RecordingStateView {
  if (!row) return { sessionId, state: 'idle', startedAt: null, segmentCount: 0 };
  return { sessionId, state: row.status, startedAt: row.startedAt, segmentCount: row.segmentCount };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The kinds a run recorded, from the SDP it gave ffmpeg (same order as the live taps: audio, video). */
function trackOfSdp(sdpFile: string): string {
  try {
    const kinds = [...readFileSync(sdpFile, 'utf8').matchAll(/^m=(audio|video) /gm)].map((m) => m[1]);
    return kinds.length ? kinds.join('+') : 'unknown';
  } catch {
    return 'unknown';
  }
}
