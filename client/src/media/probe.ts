// The pre-join bandwidth probe: the camera is sent for a few seconds to a probe transport on the SFU
// (nothing is forwarded or recorded) at up to 2.5 Mbit/s; the browser's congestion control ramps
// up to what the path carries, and the server reports what arrived.
import { Device, detectDevice, type types } from 'mediasoup-client';
import type { ProbeResult } from '../../../protocol/media.js';
import type { TongbanSocket } from '../api/socket.js';
import { request } from './signaling.js';

export async function runProbe(socket: TongbanSocket, track: MediaStreamTrack, ms: number): Promise<ProbeResult> {
  const started = await request(socket, { method: 'probeStart', data: {} });
  const device = new Device({ handlerName: detectDevice() ?? 'Chrome111' });
  await device.load({ routerRtpCapabilities: started.routerRtpCapabilities as unknown as types.RtpCapabilities });
  const transport = device.createSendTransport(started.transport as unknown as types.TransportOptions);
  transport.on('connect', ({ dtlsParameters }, ok, fail) => {
    request(socket, { method: 'probeConnect', data: { dtlsParameters } })
      .then(() => ok())
      .catch(fail);
  });
  transport.on('produce', ({ kind, rtpParameters }, ok, fail) => {
    request(socket, { method: 'probeProduce', data: { kind, rtpParameters } })
      .then(({ id }) => ok({ id }))
      .catch(fail);
  });
  // A copy of the track: the probe's end must not stop the camera the room will publish.
  const copy = track.clone();
  try {
    await transport.produce({
      track: copy,
      stopTracks: false,
      encodings: [{ maxBitrate: 2_500_000 }],
      codecOptions: { videoGoogleStartBitrate: 1000 },
    });
    await new Promise((r) => setTimeout(r, ms));
    return await request(socket, { method: 'probeResult', data: {} });
  } finally {
    transport.close();
    copy.stop();
  }
}
