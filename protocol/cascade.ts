// The cascade's messages between media nodes (server to server, carried by server/kernel/node-rpc.ts),
// checked with zod on receipt like any input: a node only trusts the shape, and acts only on links it holds.
import { z } from 'zod';

export const methods = {
  link: 'cascade.link',
  peer: 'cascade.peer',
  peerLeft: 'cascade.peerLeft',
  produce: 'cascade.produce',
  paused: 'cascade.paused',
  closeProducer: 'cascade.closeProducer',
  unlink: 'cascade.unlink',
  ping: 'cascade.ping',
  keyFrames: 'cascade.keyFrames',
} as const;

const id = z.string().min(1).max(200);
const linkId = z.string().uuid();

/**
 * Why a link closes: the session ended (end it at the other end too), the satellite has nobody
 * left, or the room closed for another reason (a node stopping, a worker death).
 */
export const unlinkReason = z.enum(['ended', 'left', 'closing']);
export type UnlinkReason = z.infer<typeof unlinkReason>;

export const srtpParameters = z
  .object({
    cryptoSuite: z.enum(['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']),
    keyBase64: z.string().max(200),
  })
  .strict();

/** One end of the pipe: where it listens, and its SRTP key when the pipe is encrypted. */
export const pipeEnd = z
  .object({
    ip: z.string().ip(),
    port: z.number().int().min(1).max(65_535),
    srtpParameters: srtpParameters.optional(),
  })
  .strict();
export type PipeEnd = z.infer<typeof pipeEnd>;

export const linkRequest = pipeEnd.extend({ sessionId: id, link: linkId }).strict();

export const peerWire = z
  .object({
    id,
    displayName: z.string().max(200),
    role: z.string().max(64),
    siteId: z.string().max(200).nullable(),
    consented: z.boolean(),
  })
  .strict();
export type PeerWire = z.infer<typeof peerWire>;

export const produceWire = z
  .object({
    peerId: id,
    id,
    kind: z.enum(['audio', 'video']),
    // The engine checks the parameters themselves when it produces (a bad set fails that request).
    rtpParameters: z
      .object({
        codecs: z
          .array(z.object({ mimeType: z.string().max(64) }).passthrough())
          .min(1)
          .max(16),
      })
      .passthrough(),
    paused: z.boolean(),
    source: z.enum(['camera', 'microphone', 'screen']),
  })
  .strict();
export type ProduceWire = z.infer<typeof produceWire>;

/**
 * The home's answer to a link: its end of the pipe, and what the satellite must show at once (its
 * peers and their producers, already consumed into the pipe), so a joining client gets them in its
 * join reply.
 */
export const linkReply = pipeEnd
  .extend({ peers: z.array(peerWire).max(100), producers: z.array(produceWire).max(400) })
  .strict();
export type LinkReply = z.infer<typeof linkReply>;

export const peerMessage = z.object({ link: linkId, peer: peerWire }).strict();
export const peerLeftMessage = z.object({ link: linkId, peerId: id }).strict();
export const produceMessage = z.object({ link: linkId, producer: produceWire }).strict();
export const pausedMessage = z.object({ link: linkId, producerId: id, paused: z.boolean() }).strict();
export const producerMessage = z.object({ link: linkId, producerId: id }).strict();
export const unlinkMessage = z.object({ link: linkId, reason: unlinkReason }).strict();
export const pingMessage = z.object({ link: linkId }).strict();
/** The satellite's end is connected: the home asks its senders for keyframes to start the pipe's video. */
export const keyFramesMessage = pingMessage;

export const okReply = z.object({}).passthrough();
