// A session's live recording runs on the media node holding its home room; the identity flows
// that chain frames and entries into it (face checks, ID checks, materials, 意愿确认 scripts) and
// the record that seals it run on whichever node serves the clerk's request. Those operations
// travel to the recording node over the cluster's node RPC and come back with the value or the
// error the caller would have got there (its code and status, not a generic failure).
import { z } from 'zod';
import { AppError, toErrorReply } from '../../kernel/errors.js';
import { NodeRequestError, type NodeRpc } from '../../kernel/node-rpc.js';
import {
  appendEntryRequest,
  capturedFrameWire,
  captureFrameRequest,
  chainedEntryWire,
  checkpointRequest,
  recorderMethods,
  recorderSession,
  remoteOutcome,
} from '../../../protocol/media-relay.js';
import { checkpointSchema } from './checkpoint.js';
import type { FrameMode } from './Recorder.js';
import type { LocalRecorderOperations, RemoteRecorder } from './RecordingService.js';

/** Frames wait for their segment to be chained and a still scene to sharpen; a seal renders and signs. */
const timeouts = { quick: 10_000, frame: 60_000, seal: 180_000 } as const;

export class RecorderRelay implements RemoteRecorder {
  readonly #rpc: NodeRpc;
  readonly #liveNodeOf: (sessionId: string) => Promise<string | undefined>;

  constructor(rpc: NodeRpc, liveNodeOf: (sessionId: string) => Promise<string | undefined>) {
    this.#rpc = rpc;
    this.#liveNodeOf = liveNodeOf;
  }

  async nodeOf(sessionId: string): Promise<string | undefined> {
    const node = await this.#liveNodeOf(sessionId);
    return node === this.#rpc.nodeId ? undefined : node;
  }

  checkpoint(node: string, sessionId: string, sessionStartedAt: string) {
    return this.#call(node, recorderMethods.checkpoint, { sessionId, sessionStartedAt }, checkpointSchema, 'quick');
  }

  isRunning(node: string, sessionId: string) {
    return this.#call(node, recorderMethods.isRunning, { sessionId }, z.boolean(), 'quick');
  }

  async captureFrame(node: string, sessionId: string, participantId: string, label: string, mode: FrameMode) {
    const request = { sessionId, participantId, label, mode };
    const f = await this.#call(node, recorderMethods.captureFrame, request, capturedFrameWire, 'frame');
    return { ...f, image: Buffer.from(f.image, 'base64') };
  }

  appendEntry(node: string, sessionId: string, participantId: string, label: string, bytes: Uint8Array, ext?: string) {
    const request = { sessionId, participantId, label, bytes: Buffer.from(bytes).toString('base64'), ext };
    return this.#call(node, recorderMethods.appendEntry, request, chainedEntryWire, 'frame');
  }

  async finalize(node: string, sessionId: string): Promise<void> {
    await this.#call(node, recorderMethods.finalize, { sessionId }, z.object({}), 'seal');
  }

  /** Answers the other nodes with this node's own recorder (never sent on: no loops between nodes). */
  serve(here: LocalRecorderOperations): void {
    const rpc = this.#rpc;
    rpc.handle(recorderMethods.checkpoint, checkpointRequest, (r) =>
      outcome(() => here.checkpoint(r.sessionId, r.sessionStartedAt)),
    );
    rpc.handle(recorderMethods.isRunning, recorderSession, (r) => outcome(() => here.isRunning(r.sessionId)));
    rpc.handle(recorderMethods.captureFrame, captureFrameRequest, (r) =>
      outcome(async () => {
        const f = await here.captureFrame(r.sessionId, r.participantId, r.label, r.mode);
        return { ...f, image: f.image.toString('base64') };
      }),
    );
    rpc.handle(recorderMethods.appendEntry, appendEntryRequest, (r) =>
      outcome(() => here.appendEntry(r.sessionId, r.participantId, r.label, Buffer.from(r.bytes, 'base64'), r.ext)),
    );
    rpc.handle(recorderMethods.finalize, recorderSession, (r) =>
      outcome(async () => {
        await here.finalize(r.sessionId);
        return {};
      }),
    );
  }

  async #call<S extends z.ZodType>(
    node: string,
    method: string,
    data: unknown,
    value: S,
    timeout: keyof typeof timeouts,
  ): Promise<z.infer<S>> {
    const reply = await this.#rpc.request(node, method, data, remoteOutcome, timeouts[timeout]);
    if (!reply.ok) throw new AppError(reply.error.code, reply.error.message, reply.status);
    const parsed = value.safeParse(reply.value);
    if (!parsed.success)
      throw new NodeRequestError(node, method, `malformed reply: ${parsed.error.issues[0]?.message}`);
    return parsed.data as z.infer<S>;
  }
}

/** The operation's value, or its error as the caller's node will raise it again. */
async function outcome<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | ReturnType<typeof failure>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return failure(err);
  }
}

function failure(err: unknown) {
  // A 5xx stays a failure of the remote node (NodeRequestError on the caller, logged there).
  if (!(err instanceof AppError)) throw err;
  const { status, body } = toErrorReply(err);
  return { ok: false as const, error: body.error, status };
}
