// Issue 13 §4: the pre-join bandwidth probe reads the link, not the camera. The client's own probe
// (client/src/media/probe.ts: mediasoup-client's Chrome111 handler, here on @roamhq/wrtc's libwebrtc
// as the bots use it) runs against a real server in the network lab (see network-faults.test.ts):
// once on the clean wire, once with the uplink capped at 300 kbit/s (a 县/镇 centre's line, `tc tbf`),
// and the page's advice line (probeLowKbps) is checked against both readings.
//
// Needs root (namespaces, veths, tc). Without it the lab's creation fails, saying so: never skipped.
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../bench/support/Bot.js'; // puts @roamhq/wrtc's WebRTC classes where mediasoup-client looks for them
import { Harness } from '../../bench/support/harness.js';
import { cleanLink } from '../../bench/support/impaired-join.js';
import { NetLab } from '../../bench/support/netlab.js';
import { tempDir } from '../../bench/support/temp.js';
import type { TongbanSocket } from '../../client/src/api/socket.js';
import { runProbe } from '../../client/src/media/probe.js';
import { probeCeilingKbps, probeLowKbps, simulcastLayers, type ProbeResult } from '../../protocol/media.js';
import { SESSION_COOKIE } from '../../server/features/auth/index.js';

const capKbps = 300;
/** What the probe costs a user, as the pre-join page runs it. */
const probeMs = 3000;
const dir = tempDir('netprobe-');
let lab: NetLab | undefined;
let h: Harness | undefined;
let socket: TongbanSocket | undefined;

beforeAll(async () => {
  lab = await NetLab.create();
  h = await Harness.start({ dataDir: dir.path, record: false, workers: 1, netns: lab.serverNs, host: lab.serverIp });
  const { token } = (await h.request('loginToken', { userId: 'clerk.xingren' })) as { token: string };
  socket = io(h.url, {
    transports: ['websocket'],
    extraHeaders: { cookie: `${SESSION_COOKIE}=${token}` },
    ca: h.ready.rootPem,
  }) as TongbanSocket;
  await new Promise<void>((resolve, reject) => {
    socket!.once('connect', resolve);
    socket!.once('connect_error', reject);
  });
}, 180_000);

afterAll(async () => {
  socket?.disconnect();
  lab?.cap('up', null);
  await h?.stop().catch(() => undefined);
  await lab?.close();
  dir.remove();
});

const say = (r: ProbeResult, link: string) =>
  process.stdout.write(
    `prejoin probe, ${link}: ${r.kbps} kbit/s (${r.bytes} bytes in ${r.windowMs} ms, ${r.durationMs} ms in all); ` +
      `advice ${r.kbps < probeLowKbps ? 'low bandwidth' : 'none'} (line ${probeLowKbps}, ceiling ${probeCeilingKbps} kbit/s)\n`,
  );

describe('the pre-join bandwidth probe through the network lab', () => {
  it('a clean link reads at least the top layer plus audio, no advice', async () => {
    await lab!.impair(cleanLink);
    const t0 = performance.now();
    const r = await runProbe(socket!, probeMs);
    say(r, `clean link (${Math.round(performance.now() - t0)} ms for the user)`);
    expect(r.kbps).toBeGreaterThanOrEqual(simulcastLayers[2].maxBitrate / 1000 + 50);
    expect(r.kbps).toBeGreaterThanOrEqual(probeLowKbps);
    // Paced: it never reads (much) above what it sends.
    expect(r.kbps).toBeLessThan(probeCeilingKbps * 1.2);
    expect(r.windowMs).toBeGreaterThan(probeMs / 2);
  }, 60_000);

  it(`an uplink capped at ${capKbps} kbit/s reads near the cap and gets the low-bandwidth advice`, async () => {
    lab!.cap('up', capKbps);
    try {
      const t0 = performance.now();
      const r = await runProbe(socket!, probeMs);
      say(r, `uplink capped at ${capKbps} kbit/s (${Math.round(performance.now() - t0)} ms for the user)`);
      // tbf counts Ethernet/IP/UDP headers, the server counts UDP payloads: a little under the cap.
      expect(r.kbps).toBeGreaterThan(capKbps * 0.7);
      expect(r.kbps).toBeLessThan(capKbps * 1.1);
      expect(r.kbps).toBeLessThan(probeLowKbps);
    } finally {
      lab!.cap('up', null);
    }
  }, 60_000);
});
