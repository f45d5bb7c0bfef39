// The recording feature as the rest of the server sees it: the recorder that media rooms write to
// (when this process records), the live checkpoint documents embed, sealing at the end, and the
// files and integrity of a recording for records and evidence. Verification reads the database and
// the files only, so it answers whether or not a recorder runs here.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Clock } from '../../kernel/clock.js';
import type { Database } from '../../kernel/store/Database.js';
import type { RecordingCheckpoint } from './checkpoint.js';
import { compositeLayoutPath, compositePath, type CompositeLayout } from './CompositeJob.js';
import { renderRedactedComposite, videoDuration, type Region } from './redacted-composite.js';
import { recordingDirectory } from './files.js';
import { genesis, isMediaSegment } from './hash-chain.js';
import { ConflictError } from '../../kernel/errors.js';
import { manifestName, sealName } from './manifest.js';
import { platformManifestSeal, type PlatformSealSource } from './platform-seal.js';
import {
  Recorder,
  type FinishedRecording,
  type CapturedFrame,
  type FrameMode,
  type ChainedEntry,
  type CompositeState,
  type RecordingOwnership,
} from './Recorder.js';
import { RecordingArchive } from './RecordingArchive.js';
import { RecordingStore, type SegmentRow } from './RecordingStore.js';
import { verifyRecording, type RecordingVerification } from './verification.js';

export interface RecordingServiceOptions {
  readonly db: Database;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly pki: PlatformSealSource;
  /**
   * Where finished recording files are also kept: with an S3 store (cluster mode) every file is
   * copied to the bucket as it is finished and brought back from there when a node lacks it; with
   * the local-disk store the recording folder is the only copy, as before.
   */
  readonly blobs?: BlobStore;
  /** Run a recorder in this process (media rooms attach to it); seals what a crash left open. */
  readonly record: boolean;
  readonly segmentSeconds?: number;
  /** Cluster mode: which open recordings are another live node's, not this one's to seal at start. */
  readonly ownership?: RecordingOwnership;
  /** Where a participant that could not be recorded is reported (besides the audit log). */
  readonly warn: (message: string) => void;
}

/** Where and from what a redacted copy of the composite is made. */
export interface RedactionPlan {
  readonly input: string;
  readonly region: Region;
  readonly regionOf: 'participant_tile' | 'whole_frame';
  readonly participant: string | null;
}

/** A recording's integrity as a record shows it. */
export interface RecordingIntegrity {
  readonly sessionId: string;
  readonly status: RecordingVerification['status'];
  readonly valid: boolean;
  readonly segmentCount: number;
  readonly head: string | null;
  readonly problems: string[];
  readonly seal: RecordingVerification['seal'];
}

/** The recorder operations on this process's own recorder, never sent elsewhere (what a relay answers with). */
export interface LocalRecorderOperations {
  checkpoint(sessionId: string, sessionStartedAt: string): Promise<RecordingCheckpoint>;
  isRunning(sessionId: string): Promise<boolean>;
  captureFrame(sessionId: string, participantId: string, label: string, mode: FrameMode): Promise<CapturedFrame>;
  appendEntry(
    sessionId: string,
    participantId: string,
    label: string,
    bytes: Uint8Array,
    ext?: string,
  ): Promise<ChainedEntry>;
  finalize(sessionId: string): Promise<void>;
}

type OnNode<F> = F extends (...args: infer A) => infer R ? (node: string, ...args: A) => R : never;

/**
 * The recorder of another node (cluster mode): a session's live recording runs where its home room
 * is, so frames, chained entries, checkpoints and the seal are asked of that node (recorder-relay.ts).
 */
export type RemoteRecorder = { [K in keyof LocalRecorderOperations]: OnNode<LocalRecorderOperations[K]> } & {
  /** The live node recording the session, when it is not this process; undefined otherwise. */
  nodeOf(sessionId: string): Promise<string | undefined>;
};

export class RecordingService {
  readonly store: RecordingStore;
  /** Present when this process records. */
  readonly recorder: Recorder | undefined;
  /** Present when recordings are kept in object storage. */
  readonly archive: RecordingArchive | undefined;
  readonly #o: RecordingServiceOptions;
  readonly #seal;
  /** Audit entries the recorder's events started: finalize() returns once they are written. */
  readonly #auditing = new Set<Promise<void>>();
  #remote: RemoteRecorder | undefined;

  private constructor(
    options: RecordingServiceOptions,
    store: RecordingStore,
    recorder: Recorder | undefined,
    archive: RecordingArchive | undefined,
  ) {
    this.#o = options;
    this.store = store;
    this.recorder = recorder;
    this.archive = archive;
    this.#seal = platformManifestSeal(options.pki);
  }

  static async create(options: RecordingServiceOptions): Promise<RecordingService> {
    const store = new RecordingStore(options.db);
    const archive =
      options.blobs?.kind === 's3'
        ? new RecordingArchive({ db: options.db, blobs: options.blobs, clock: options.clock, warn: options.warn })
        : undefined;
    if (!options.record) return new RecordingService(options, store, undefined, archive);
    const { audit } = options;
    const { recorder, recovered, failed } = await Recorder.create({
      store,
      dataDir: options.dataDir,
      seal: platformManifestSeal(options.pki),
      segmentSeconds: options.segmentSeconds,
      clock: options.clock,
      ownership: options.ownership,
    });
    const sealedInterrupted = (r: FinishedRecording) => ({
      actor: 'system',
      action: 'recording.sealed_interrupted',
      target: `session:${r.sessionId}`,
      details: { segments: r.segmentCount },
    });
    const sealFailed = (sessionId: string, reason: string, retry: boolean) => {
      options.warn(`recording of session ${sessionId} not sealed: ${reason}${retry ? '; tried again later' : ''}`);
      return {
        actor: 'system',
        action: 'recording.seal_failed',
        target: `session:${sessionId}`,
        details: { reason, retry },
      };
    };
    for (const r of recovered) await audit.append(sealedInterrupted(r));
    for (const f of failed) await audit.append(sealFailed(f.sessionId, f.reason, f.retry));
    const service = new RecordingService(options, store, recorder, archive);
    recorder.on('recovered', (r) => service.#audit(sealedInterrupted(r)));
    recorder.on('recoveryFailed', (sessionId, reason, retry) => service.#audit(sealFailed(sessionId, reason, retry)));
    recorder.on('state', (s) => {
      if (s.state === 'recording' && s.segmentCount === 0)
        service.#audit({ actor: 'system', action: 'recording.started', target: `session:${s.sessionId}` });
      if (s.state === 'sealed')
        service.#audit({
          actor: 'system',
          action: 'recording.sealed',
          target: `session:${s.sessionId}`,
          details: { segments: s.segmentCount },
        });
    });
    recorder.on('tapFailed', (sessionId, peerId, reason) => {
      options.warn(`recording of ${peerId} in session ${sessionId} failed: ${reason}`);
      service.#audit({
        actor: 'system',
        action: 'recording.tap_failed',
        target: `session:${sessionId}`,
        details: { participant: peerId, reason },
      });
    });
    if (archive) await copyFinishedFiles(recorder, store, archive, options.dataDir, recovered);
    return service;
  }

  /** An audit entry from an event listener, which cannot wait: tracked, and a failure reported. */
  #audit(event: Parameters<AuditLog['append']>[0]): void {
    const written: Promise<void> = this.#o.audit
      .append(event)
      .then(() => undefined)
      .catch((err: unknown) => this.#o.warn(`audit entry ${event.action} not written: ${String(err)}`))
      .finally(() => this.#auditing.delete(written));
    this.#auditing.add(written);
  }

  /** From now on a session recorded on another live node has its recorder operations done there. */
  useRemote(remote: RemoteRecorder): void {
    this.#remote = remote;
  }

  /**
   * The live head of the session's recording chain. Without a recorder the timeline is the
   * session's own clock (`startedAt`) and the chain is still at h_0.
   */
  async checkpoint(sessionId: string, sessionStartedAt: string): Promise<RecordingCheckpoint> {
    const node = await this.#recordedOn(sessionId);
    return node
      ? this.#remote!.checkpoint(node, sessionId, sessionStartedAt)
      : this.here.checkpoint(sessionId, sessionStartedAt);
  }

  /** Is the session being recorded right now (by this process's recorder, or the node recording it)? */
  async isRunning(sessionId: string): Promise<boolean> {
    const node = await this.#recordedOn(sessionId);
    return node ? this.#remote!.isRunning(node, sessionId) : this.here.isRunning(sessionId);
  }

  /** Closed, chained media segments (audio or video) of one participant. */
  async recordedSegments(sessionId: string, participantId: string): Promise<number> {
    const segments = await this.store.segments(sessionId);
    return segments.filter((s) => s.participant === participantId && isMediaSegment(s)).length;
  }

  /** A frame of the participant's recorded video (see Recorder.captureFrame), chained into the recording. */
  async captureFrame(sessionId: string, participantId: string, label: string, mode: FrameMode): Promise<CapturedFrame> {
    const node = await this.#recordedOn(sessionId);
    return node
      ? this.#remote!.captureFrame(node, sessionId, participantId, label, mode)
      : this.here.captureFrame(sessionId, participantId, label, mode);
  }

  /**
   * A record chained into the session's recording as its own link, on track `entry:<label>`: JSON
   * of an OCR result or a face check, a 意愿确认 prompt or answer; a material as uploaded (`ext`).
   */
  async appendEntry(
    sessionId: string,
    participantId: string,
    label: string,
    bytes: Uint8Array,
    ext?: string,
  ): Promise<ChainedEntry> {
    const node = await this.#recordedOn(sessionId);
    return node
      ? this.#remote!.appendEntry(node, sessionId, participantId, label, bytes, ext)
      : this.here.appendEntry(sessionId, participantId, label, bytes, ext);
  }

  /** Finishes the session's taps and seals its recording (idempotent; nothing to do without a recorder). */
  async finalize(sessionId: string): Promise<void> {
    const node = await this.#recordedOn(sessionId);
    return node ? this.#remote!.finalize(node, sessionId) : this.here.finalize(sessionId);
  }

  /** This process's recorder only. */
  readonly here: LocalRecorderOperations = {
    checkpoint: async (sessionId, sessionStartedAt) => {
      if (this.recorder) {
        const cp = await this.recorder.checkpoint(sessionId);
        return { sessionId, head: cp.head, segmentCount: cp.segmentCount, offsetMs: cp.offsetMs, at: cp.takenAt };
      }
      const now = this.#o.clock();
      const offsetMs = Math.max(0, now.getTime() - Date.parse(sessionStartedAt));
      return { sessionId, head: genesis(sessionId), segmentCount: 0, offsetMs, at: now.toISOString() };
    },
    isRunning: async (sessionId) => !!this.recorder && (await this.store.get(sessionId))?.status === 'recording',
    captureFrame: async (sessionId, participantId, label, mode) => {
      if (!this.recorder) throw new ConflictError('no recorder runs here', 'recording_not_running');
      return this.recorder.captureFrame(sessionId, participantId, label, mode);
    },
    appendEntry: async (sessionId, participantId, label, bytes, ext) => {
      if (!this.recorder) throw new ConflictError('no recorder runs here', 'recording_not_running');
      return this.recorder.appendEntry(sessionId, participantId, label, bytes, ext);
    },
    finalize: async (sessionId) => {
      await this.recorder?.finish(sessionId);
      await Promise.all(this.#auditing);
    },
  };

  /** The other node recording the session live, when there is one and this process does not record it. */
  async #recordedOn(sessionId: string): Promise<string | undefined> {
    if (!this.#remote || this.recorder?.records(sessionId)) return undefined;
    return this.#remote.nodeOf(sessionId);
  }

  /**
   * The recording as files for an evidence package: manifest.json and its seal (read) and every
   * chained segment by path (streamed into the zip, never loaded). Undefined when never recorded.
   */
  async packageFiles(
    sessionId: string,
  ): Promise<{ status: string; files: Map<string, Uint8Array | { path: string }> } | undefined> {
    const row = await this.store.get(sessionId);
    const dir = await this.localDirectory(sessionId);
    if (!row || !dir) return undefined;
    const files = new Map<string, Uint8Array | { path: string }>();
    for (const name of [manifestName, sealName]) {
      const bytes = await readFile(join(dir, name)).catch(() => undefined);
      if (bytes) files.set(name, bytes);
    }
    for (const segment of await this.store.segments(sessionId))
      files.set(segment.file, { path: join(dir, segment.file) });
    return { status: row.status, files };
  }

  /**
   * The recording's folder on this node with the files it needs: with recordings in object storage,
   * whatever is missing here (recorded on another node, or this copy lost) is brought back from the
   * bucket first — all of it, or the names `only` accepts.
   */
  async localDirectory(sessionId: string, only?: (name: string) => boolean): Promise<string | undefined> {
    return (await this.#restored(sessionId, only)).dir;
  }

  async #restored(
    sessionId: string,
    only?: (name: string) => boolean,
  ): Promise<{ dir: string | undefined; failures: string[] }> {
    const dir = await this.directory(sessionId);
    if (!dir || !this.archive) return { dir, failures: [] };
    const { fetched, failures } = await this.archive.restore(sessionId, dir, only);
    if (fetched > 0) this.#o.warn(`recording ${sessionId}: ${fetched} file(s) brought back from object storage`);
    for (const failure of failures) this.#o.warn(`recording ${sessionId}: not restored: ${failure}`);
    return { dir, failures };
  }

  /** The recording's folder, when there is a recording. */
  async directory(sessionId: string): Promise<string | undefined> {
    const row = await this.store.get(sessionId);
    return row && recordingDirectory(this.#o.dataDir, sessionId, row);
  }

  /**
   * Destroys the recording's files (segments, manifest and its seal, the composite video) when its
   * record is deleted. The rows stay: segment hashes, the chain and who appeared, no media; the
   * audit log and signed-elsewhere checkpoints still name heads of that chain. Returns the files removed.
   */
  async destroy(sessionId: string): Promise<number> {
    const { dir, files } = await this.#files(sessionId);
    if (dir) await rm(dir, { recursive: true, force: true });
    const objects = (await this.archive?.destroy(sessionId)) ?? 0;
    return Math.max(files.length, objects);
  }

  /** What destroy() would remove: the recording's files and their bytes (the retention preview). */
  async footprint(sessionId: string): Promise<{ files: number; bytes: number }> {
    const { files } = await this.#files(sessionId);
    const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size)));
    return { files: files.length, bytes: sizes.reduce((a, b) => a + b, 0) };
  }

  async #files(sessionId: string): Promise<{ dir: string | undefined; files: string[] }> {
    const dir = await this.directory(sessionId);
    if (!dir || !existsSync(dir)) return { dir: undefined, files: [] };
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return { dir, files: entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name)) };
  }

  /** Every segment hash, the chain and the manifest seal recomputed from the files. */
  async verify(sessionId: string): Promise<RecordingVerification> {
    // A file the bucket cannot give back intact is then missing here: the check names it, and why.
    const { failures } = await this.#restored(sessionId);
    const v = await verifyRecording({ dataDir: this.#o.dataDir, sessionId, store: this.store, seal: this.#seal });
    if (failures.length === 0) return v;
    return { ...v, valid: false, problems: [...failures.map((f) => `object storage: ${f}`), ...v.problems] };
  }

  async integrity(sessionId: string): Promise<RecordingIntegrity> {
    const v = await this.verify(sessionId);
    return {
      sessionId,
      status: v.status,
      valid: v.valid,
      segmentCount: v.segmentCount,
      head: v.head,
      problems: describeProblems(v),
      seal: v.seal,
    };
  }

  /** The playback grid video: rendering here, or finished by this or an earlier process. */
  async compositeState(sessionId: string): Promise<CompositeState | undefined> {
    const live = await this.recorder?.compositeState(sessionId);
    if (live) return live;
    return (await this.compositeFile(sessionId)) ? { status: 'ready', progress: 1 } : undefined;
  }

  async compositeFile(sessionId: string): Promise<string | undefined> {
    const dir = await this.localDirectory(sessionId, (name) => name.startsWith('derived/'));
    return dir && existsSync(compositePath(dir)) ? compositePath(dir) : undefined;
  }

  /**
   * What a redacted copy of the composite blurs: the participant's tile, or the whole frame when the
   * composite has no tile of theirs (their ID may then show in anyone's picture). 409 while there is
   * no finished composite with its layout.
   */
  async redactionPlan(sessionId: string, participantId: string | null): Promise<RedactionPlan> {
    const input = await this.compositeFile(sessionId);
    const layoutFile = input && compositeLayoutPath((await this.directory(sessionId))!);
    if (!input || !layoutFile || !existsSync(layoutFile))
      throw new ConflictError(`no finished playback video of session ${sessionId}`, 'composite_not_ready');
    const layout = JSON.parse(readFileSync(layoutFile, 'utf8')) as CompositeLayout;
    const { tile, tiles } = layout;
    const own = tiles.find((t) => t.participant === participantId);
    if (own) return { input, region: { ...own, ...tile }, regionOf: 'participant_tile', participant: participantId };
    const cols = Math.ceil(Math.sqrt(Math.max(1, tiles.length)));
    const rows = Math.ceil(Math.max(1, tiles.length) / cols);
    const region = { x: 0, y: 0, width: cols * tile.width, height: rows * tile.height };
    return { input, region, regionOf: 'whole_frame', participant: participantId };
  }

  /** Renders the plan's redacted copy into a temporary file (the caller stores and removes it). */
  async renderRedacted(
    plan: RedactionPlan,
    windowsMs: readonly { fromMs: number; toMs: number }[],
    onProgress?: (fraction: number) => void,
  ): Promise<string> {
    const output = join(dirname(plan.input), `redacted-${randomUUID()}.mp4`);
    const windows = windowsMs.map((w) => ({ fromSec: w.fromMs / 1000, toSec: w.toMs / 1000 }));
    try {
      await renderRedactedComposite({
        input: plan.input,
        output,
        region: plan.region,
        windows,
        durationSec: await videoDuration(plan.input),
        onProgress,
      });
    } catch (err) {
      await rm(output, { force: true });
      throw err;
    }
    return output;
  }

  /** Shutdown: open segments are finished; open recordings are sealed as interrupted at the next start. */
  async close(): Promise<void> {
    await this.recorder?.close();
  }
}

export function describeProblems(v: RecordingVerification): string[] {
  const out = [...v.problems];
  if (v.firstBadSegment)
    out.push(`segment #${v.firstBadSegment.index} (${v.firstBadSegment.file}): ${v.firstBadSegment.reason}`);
  if (v.seal.state === 'invalid' || v.seal.state === 'missing')
    out.push(`seal ${v.seal.state}${v.seal.reason ? `: ${v.seal.reason}` : ''}`);
  return out;
}

/**
 * Copies every file the recorder finishes into the archive as it is finished: each chained segment
 * (checked against the hash the chain holds), the manifest and its seal when the recording is
 * sealed, the playback composite and its layout when rendered; and, at start-up, whatever a crashed
 * predecessor had not copied of the recordings it left open.
 */
async function copyFinishedFiles(
  recorder: Recorder,
  store: RecordingStore,
  archive: RecordingArchive,
  dataDir: string,
  recovered: readonly FinishedRecording[],
): Promise<void> {
  const dirOf = async (sessionId: string) => recordingDirectory(dataDir, sessionId, await store.get(sessionId));
  const copySegment = async (sessionId: string, segment: SegmentRow | undefined) => {
    if (segment) await archive.enqueue(sessionId, await dirOf(sessionId), segment.file, segment.sha256);
  };
  const copySealed = async (sessionId: string) => {
    const dir = await dirOf(sessionId);
    for (const name of [manifestName, sealName])
      if (existsSync(join(dir, name))) await archive.enqueue(sessionId, dir, name);
  };
  // A copy that fails is reported by the archive (and retried by nobody: the node still has the file).
  const quietly = (p: Promise<unknown>) => void p.catch(() => undefined);
  recorder.on('segment', (sessionId, index) =>
    quietly(store.segment(sessionId, index).then((segment) => copySegment(sessionId, segment))),
  );
  recorder.on('state', (s) => {
    if (s.state === 'sealed' || s.state === 'interrupted') quietly(copySealed(s.sessionId));
  });
  // Queued as the render finishes, so an archive settled after compositeState says ready holds both.
  recorder.on('compositeRendered', (sessionId, dir) => {
    for (const path of [compositePath(dir), compositeLayoutPath(dir)])
      quietly(archive.enqueue(sessionId, dir, relative(dir, path)));
  });
  for (const r of recovered) {
    for (const segment of await store.segments(r.sessionId)) quietly(copySegment(r.sessionId, segment));
    quietly(copySealed(r.sessionId));
  }
}
