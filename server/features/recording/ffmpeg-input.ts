// What ffmpeg needs to receive plain RTP from mediasoup: free UDP port pairs (RTP on an even
// port, RTCP on the next) and an SDP describing each stream's payload type and codec.
import { createSocket } from 'node:dgram';
import type { types as ms } from 'mediasoup';

export interface RtpPortRange {
  readonly min: number;
  readonly max: number;
}

export const defaultRtpPorts: RtpPortRange = { min: 50000, max: 59998 };

async function bindable(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** An even RTP port whose RTCP neighbour is also free (checked by binding both briefly). */
export async function freePortPair(range: RtpPortRange = defaultRtpPorts): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = range.min + 2 * Math.floor(Math.random() * ((range.max - range.min) / 2));
    if ((await bindable(port)) && (await bindable(port + 1))) return port;
  }
  throw new Error('no free UDP port pair for the recorder');
}

export interface SdpStream {
  readonly kind: 'audio' | 'video';
  readonly port: number;
  readonly rtpParameters: ms.RtpParameters;
}

export function sdpFor(streams: readonly SdpStream[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=tongban-recorder', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const s of streams) {
    const codec = s.rtpParameters.codecs[0]!;
    const name = codec.mimeType.split('/')[1]!;
    const channels = s.kind === 'audio' && codec.channels ? `/${codec.channels}` : '';
    lines.push(`m=${s.kind} ${s.port} RTP/AVP ${codec.payloadType}`);
    lines.push(`a=rtcp:${s.port + 1}`);
    lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`);
    const fmtp = Object.entries(codec.parameters ?? {}).map(([k, v]) => `${k}=${String(v)}`);
    if (fmtp.length) lines.push(`a=fmtp:${codec.payloadType} ${fmtp.join(';')}`);
    lines.push('a=recvonly');
  }
  return lines.join('\r\n') + '\r\n';
}
