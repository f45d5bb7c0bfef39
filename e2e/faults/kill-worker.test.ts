// A mediasoup worker killed (SIGKILL) during a recorded three-person call: the pool starts a fresh
// worker, the room is rebuilt on it, the bots are told to rejoin and decode every remote video
// again, and the server keeps answering.
import { afterAll, describe, expect, it } from 'vitest';
import { BotRooms } from '../../bench/support/BotRooms.js';
import { Harness } from '../../bench/support/harness.js';
import { SyntheticMedia } from '../../bench/support/SyntheticMedia.js';
import { tempDir } from '../../bench/support/temp.js';
import { HttpClient } from '../../server/test-support/HttpClient.js';
import { until } from './support.js';

const dir = tempDir('fault-worker-');
const media = new SyntheticMedia();
let h: Harness | undefined;
let rooms: BotRooms | undefined;

afterAll(async () => {
  await rooms?.close().catch(() => undefined);
  media.stop();
  await h?.stop();
  dir.remove();
});

describe('a mediasoup worker dies during a call', () => {
  it('rebuilds the room on a fresh worker and every bot gets media again', async () => {
    h = await Harness.start({ dataDir: dir.path, record: true, workers: 1 });
    rooms = new BotRooms(h, media, 3);
    await rooms.addRoom();
    await rooms.waitAllDecoding();
    const [dead] = await h.workerPids();
    expect(dead).toBeGreaterThan(0);

    const killedAt = performance.now();
    process.kill(dead!, 'SIGKILL');
    const fresh = await until(
      20_000,
      'a replacement worker',
      () => h!.workerPids(),
      (pids) => pids.length === 1 && pids[0] !== dead,
    );
    expect(fresh[0]).not.toBe(dead);

    const bots = rooms.bots;
    await until(
      30_000,
      'every bot rejoined',
      async () => bots.map((b) => b.rebuilds),
      (r) => r.every((n) => n >= 1),
    );
    await rooms.waitAllDecoding(30_000);
    const recoveredMs = performance.now() - killedAt;
    const before = rooms.snapshot();
    await new Promise((r) => setTimeout(r, 3000));
    const fps = rooms.fps(before, rooms.snapshot());
    expect(Math.min(...fps)).toBeGreaterThan(5);
    process.stdout.write(
      `worker kill: media back on every bot after ${Math.round(recoveredMs)} ms; fps after: ${fps.map((f) => f.toFixed(1)).join(', ')}\n`,
    );

    const health = await new HttpClient(h.url, h.ready.rootPem).get('/healthz');
    expect(health.status).toBe(200);
  }, 110_000);
});
