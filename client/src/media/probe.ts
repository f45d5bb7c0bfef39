// The pre-join bandwidth probe: data is sent for a few seconds over a data channel to a probe
// transport on the SFU (nothing is forwarded or recorded), paced at up to probeCeilingKbps; SCTP's
// congestion control fills a slower link, and the server reports what arrived (server Probe.ts says
// why data and not the camera). No camera needed: it runs for a microphone-only participant too.
import { Device, detectDevice, type types } from 'mediasoup-client';
import { probeCeilingKbps, type ProbeResult } from '../../../protocol/media.js';
import type { TongbanSocket } from '../api/socket.js';
import { request } from './signaling.js';

/** One message: SCTP cuts it into packets; large enough that pacing costs few calls. */
const chunkBytes = 8 * 1024;
/** Data waiting in the channel: on a slow link the backlog stops here instead of growing for seconds. */
const maxBufferedBytes = 128 * 1024;
const tickMs = 10;

export async function runProbe(socket: TongbanSocket, ms: number): Promise<ProbeResult> {
  const started = await request(socket, { method: 'probeStart', data: {} });
  const device = new Device({ handlerName: detectDevice() ?? 'Chrome111' });
  await device.load({ routerRtpCapabilities: started.routerRtpCapabilities as unknown as types.RtpCapabilities });
  const transport = device.createSendTransport(started.transport as unknown as types.TransportOptions);
  transport.on('connect', ({ dtlsParameters }, ok, fail) => {
    request(socket, { method: 'probeConnect', data: { dtlsParameters } })
      .then(() => ok())
      .catch(fail);
  });
  transport.on('producedata', ({ sctpStreamParameters: { streamId, ordered, maxRetransmits } }, ok, fail) => {
    if (streamId === undefined) return fail(new Error('the probe channel has no SCTP stream'));
    request(socket, { method: 'probeProduce', data: { sctpStreamParameters: { streamId, ordered, maxRetransmits } } })
      .then(({ id }) => ok({ id }))
      .catch(fail);
  });
  try {
    // Unordered without retransmission: a lost packet is not sent again, so the rate is the link's, not a backlog's.
    const channel = await transport.produceData({ ordered: false, maxRetransmits: 0, label: 'probe' });
    await opened(channel, 15_000);
    await pace(channel, ms);
    return await request(socket, { method: 'probeResult', data: {} });
  } finally {
    transport.close();
  }
}

function opened(channel: types.DataProducer, timeoutMs: number): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the probe channel did not open')), timeoutMs);
    channel.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    channel.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Sends for `ms` at up to the ceiling (a token bucket), never more than maxBufferedBytes waiting. */
function pace(channel: types.DataProducer, ms: number): Promise<void> {
  const chunk = new Uint8Array(chunkBytes);
  const bytesPerMs = probeCeilingKbps / 8;
  // At most a few ticks' worth at once: a throttled timer does not turn into a burst.
  const maxCredit = Math.max(chunkBytes, 5 * tickMs * bytesPerMs);
  return new Promise((resolve) => {
    const t0 = performance.now();
    let last = t0;
    let credit = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      credit = Math.min(maxCredit, credit + (now - last) * bytesPerMs);
      last = now;
      if (now - t0 >= ms || channel.closed) {
        clearInterval(timer);
        resolve();
        return;
      }
      while (credit >= chunkBytes && channel.bufferedAmount < maxBufferedBytes) {
        channel.send(chunk);
        credit -= chunkBytes;
      }
    }, tickMs);
  });
}
