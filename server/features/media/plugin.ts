// The media plane as an app plugin (server/app.ts AppPlugin): recorder (sealing what a crash left
// open), worker pool and rooms, socket.io signalling on the app's authenticated sockets, and the
// recorder handed to the flows (checkpoints in documents, sealing at archive, evidence files).
import type { Server } from 'socket.io';
import type { AppPlugin } from '../../app/create-app.js';
import { actorOf } from '../../kernel/principal.js';
import { FlowServices } from '../../app/FlowServices.js';
import type { AppContext } from '../../app/context.js';
import { attachMediaSignaling } from './signaling.js';
import type { ms } from './engine.js';
import { MediaService } from './MediaService.js';
import { flowsRecorder, recordingVerifier } from '../recording/flows-recorder.js';
import { platformManifestSeal } from '../recording/platform-seal.js';
import { Recorder } from '../recording/Recorder.js';
import { RecordingStore } from '../recording/RecordingStore.js';

export interface MediaPluginOptions {
  /** Where WebRTC transports listen and what they announce (e.g. [{ ip: '127.0.0.1' }]). */
  readonly listenIps: ms.TransportListenIp[];
  /** Workers; one per core by default. */
  readonly workers?: number;
  /** Port range of WebRTC transports (WorkerPool's default when absent). */
  readonly rtcMinPort?: number;
  readonly rtcMaxPort?: number;
  readonly segmentSeconds?: number;
  /** Without a worker binary the desk runs without video; this is where that is said. */
  readonly warn?: (message: string) => void;
}

/** The running media plane of an app, for tests and diagnostics. */
export interface MediaHandles {
  readonly media: MediaService;
  readonly recorder: Recorder;
  readonly store: RecordingStore;
}

const running = new WeakMap<AppContext, MediaHandles>();

export function mediaHandles(ctx: AppContext): MediaHandles | undefined {
  return running.get(ctx);
}

export function mediaPlugin(options: MediaPluginOptions): AppPlugin {
  return {
    name: 'media',
    async start({ ctx, realtime }) {
      const warn = options.warn ?? ((m: string) => process.stderr.write(`tongban: WARNING: ${m}\n`));
      const flows = FlowServices.for(ctx);
      const store = new RecordingStore(ctx.db);
      const seal = platformManifestSeal(flows.pki);
      const { recorder, recovered } = await Recorder.create({ store, dataDir: ctx.config.dataDir, seal, segmentSeconds: options.segmentSeconds });
      for (const r of recovered) {
        ctx.audit.append({ actor: 'system', action: 'recording.sealed_interrupted', target: `session:${r.sessionId}`, details: { segments: r.segmentCount } });
      }
      let media: MediaService;
      try {
        media = await MediaService.start({ listenIps: options.listenIps, size: options.workers, rtcMinPort: options.rtcMinPort, rtcMaxPort: options.rtcMaxPort, recorder });
      } catch (err) {
        warn(`media plane not started, video rooms are unavailable: ${err instanceof Error ? err.message : String(err)}`);
        return { stop: async () => undefined };
      }
      recorder.on('state', (s) => {
        if (s.state === 'recording' && s.segmentCount === 0) ctx.audit.append({ actor: 'system', action: 'recording.started', target: `session:${s.sessionId}` });
        if (s.state === 'sealed') ctx.audit.append({ actor: 'system', action: 'recording.sealed', target: `session:${s.sessionId}`, details: { segments: s.segmentCount } });
      });
      recorder.on('tapFailed', (sessionId, peerId, reason) => {
        warn(`recording of ${peerId} in session ${sessionId} failed: ${reason}`);
        ctx.audit.append({ actor: 'system', action: 'recording.tap_failed', target: `session:${sessionId}`, details: { participant: peerId, reason } });
      });
      // A session that ends without the flows (case rejected or cancelled) still gets its recording sealed.
      const unsubscribe = ctx.cases.onChange((c) => {
        if (c.sessionId && ['archived', 'rejected', 'cancelled'].includes(c.status)) void media.endSession(c.sessionId).catch(() => undefined);
      });
      attachMediaSignaling(realtime.io as unknown as Server, {
        media,
        canJoin: (principal, sessionId) => ctx.sessions.assertCanJoin(principal, sessionId),
        onConsent: (principal, sessionId) =>
          ctx.audit.append({ actor: actorOf(principal), action: 'session.recording_consent', target: `session:${sessionId}` }),
      });
      const verify = recordingVerifier({ dataDir: ctx.config.dataDir, store, seal });
      flows.useRecorder(flowsRecorder({ media, recorder, store, dataDir: ctx.config.dataDir, verify }));
      running.set(ctx, { media, recorder, store });
      return {
        async stop() {
          unsubscribe();
          flows.useRecorder(undefined);
          running.delete(ctx);
          await media.stop();
        },
      };
    },
  };
}
