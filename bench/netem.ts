// Join → first frame through a weak network (5 % loss each way, 200 ms RTT) against the same join
// on a clean link, both measured in this run through the same network lab (bench/support/netlab.ts:
// the server in its own namespace, impairer.py in the middle, since the kernel lacks sch_netem).
// Needs root; without it this step fails, saying why, and the table shows that.
import { Harness } from './support/harness.js';
import { timedJoins } from './support/impaired-join.js';
import { NetLab } from './support/netlab.js';
import { median, row, type BenchRow } from './support/results.js';
import { SyntheticMedia } from './support/SyntheticMedia.js';
import { tempDir } from './support/temp.js';

export async function benchWeakNetwork(o: {
  rounds: number;
}): Promise<{ rows: BenchRow[]; clean: number[]; weak: number[] }> {
  const dir = tempDir('bench-netem-');
  const media = new SyntheticMedia();
  let lab: NetLab | undefined;
  let h: Harness | undefined;
  try {
    lab = await NetLab.create();
    h = await Harness.start({ dataDir: dir.path, record: false, workers: 1, netns: lab.serverNs, host: lab.serverIp });
    const t = await timedJoins(h, media, lab, o.rounds);
    const clean = median(t.clean);
    return {
      clean: t.clean,
      weak: t.weak,
      rows: [
        row('Weak network (2 bots)', 'join → first frame, 5 % loss / 200 ms RTT, p50', median(t.weak), 'ms', {
          peer: { name: 'same join on a clean link (this run)', value: clean, measured: true },
          note: `${o.rounds} rounds; weak max ${Math.round(Math.max(...t.weak))} ms, clean max ${Math.round(Math.max(...t.clean))} ms; impairer dropped ${(100 * t.measuredLoss).toFixed(1)} % of frames${t.failures.length ? `; FAILED joins: ${t.failures.join('; ')}` : ''}`,
        }),
      ],
    };
  } finally {
    media.stop();
    await h?.stop().catch(() => undefined);
    await lab?.close();
    dir.remove();
  }
}
