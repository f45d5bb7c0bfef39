// The only module that loads mediasoup. mediasoup 3.8.4 reads MEDIASOUP_WORKER_BIN once, when it is
// first imported, and its workers inherit this process's environment: so the worker path and its
// library folder are put into process.env before the dynamic import.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { installationDir } from '../../kernel/installation.js';
import type * as Mediasoup from 'mediasoup';

export type { types as ms } from 'mediasoup';

/** The Debian worker unpacked by scripts/setup-mediasoup-worker.sh, unless the environment names one. */
export function workerBinary(): string {
  return (
    process.env.MEDIASOUP_WORKER_BIN ??
    resolve(installationDir(), '.deps/mediasoup/root/usr/lib/x86_64-linux-gnu/mediasoup/mediasoup-worker')
  );
}

let loaded: Promise<typeof Mediasoup> | undefined;

export function loadMediasoup(): Promise<typeof Mediasoup> {
  loaded ??= (async () => {
    const bin = workerBinary();
    if (!existsSync(bin))
      throw new Error(`mediasoup worker not found at ${bin} (run scripts/setup.sh or set MEDIASOUP_WORKER_BIN)`);
    process.env.MEDIASOUP_WORKER_BIN = bin;
    // The Debian worker sits in <lib>/mediasoup/; its libsrtp2/libusrsctp are in <lib>.
    const libDir = dirname(dirname(bin));
    const current = process.env.LD_LIBRARY_PATH ?? '';
    if (!current.split(':').includes(libDir)) process.env.LD_LIBRARY_PATH = current ? `${libDir}:${current}` : libDir;
    return (await import('mediasoup')) as typeof Mediasoup;
  })();
  return loaded;
}

/**
 * A track's RTP parameters as the engine is given them, marked so that mediasoup 3.8.4 forwards it
 * whatever its score. Why: a plain (non-simulcast) stream is forwarded only while its score (from the
 * loss between two of the sender's RTCP reports) is above 0 or it is marked DTX (worker SimpleConsumer.hpp
 * `IsActive`: `GetScore() > 0u || HasDtx()`). After an outage the first report's interval holds the
 * whole gap, the score falls to 0, and every consumer (the others and the recorder) dropped the track
 * until the next report: for audio (reported every ~5 s) 5–10 s of silence after the link was back;
 * for video (reported every ~1 s) a second more of hole, with the keyframe asked at the return lost in
 * it. So: opus is marked `usedtx=1`, and a camera or screen sent as one encoding is marked `dtx` (the
 * worker reads either, Producer.cpp `CreateRtpStream`; mediasoup PR #534). Neither changes what the
 * sender does, nor the loss figures; the worker then calls a silent stream inactive after 5 s instead
 * of 1.5 s. Simulcast encodings are left alone: a simulcast consumer picks its layer among those
 * scoring above 0 whatever the mark (SimulcastConsumer.cpp `RecalculateTargetLayers`), and the mark
 * would only keep it 5 s on a layer the sender stopped.
 */
export function forwardedWhateverItsScore(rtpParameters: Mediasoup.types.RtpParameters): Mediasoup.types.RtpParameters {
  const encodings = rtpParameters.encodings ?? [];
  const video = rtpParameters.codecs.some((c) => c.mimeType.toLowerCase().startsWith('video/'));
  return {
    ...rtpParameters,
    codecs: rtpParameters.codecs.map((c) =>
      c.mimeType.toLowerCase() === 'audio/opus' ? { ...c, parameters: { ...c.parameters, usedtx: 1 } } : c,
    ),
    ...(video && encodings.length === 1 ? { encodings: [{ ...encodings[0], dtx: true }] } : {}),
  };
}

/** Opus + VP8: what every current browser sends and what WebM holds without re-encoding. */
export const mediaCodecs: Mediasoup.types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 600 } },
];

/**
 * RTP/DTLS parameters from a client, checked by the protocol's zod schemas for shape and size, as
 * the engine's types: mediasoup validates their content and rejects what it cannot use.
 */
export function engineParameters<T extends object>(checked: object): T {
  return checked as T;
}

/** Engine parameters as the protocol carries them (plain JSON objects). */
export function wireParameters(parameters: object): Record<string, unknown> {
  return { ...parameters };
}
