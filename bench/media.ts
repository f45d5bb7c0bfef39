// `npm run bench:media`: the two media rows of issue 13 alone (the full `npm run bench` takes most of
// an hour): simulcast's worker CPU per consumer against single-layer sending, and join → first frame
// on a 5 % loss / 200 ms RTT link against a clean one, each measured against its peer in this run.
import { benchWeakNetwork } from './netem.js';
import { benchSimulcast } from './simulcast.js';
import { table } from './support/report.js';

const simulcast = await benchSimulcast({ size: 3, rooms: 2, seconds: 20 });
const weak = await benchWeakNetwork({ rounds: Number(process.env.BENCH_RUNS ?? 5) });
process.stdout.write(`${table([...simulcast.rows, ...weak.rows])}\n`);
process.stdout.write(
  `join → first frame (ms): clean ${weak.clean.map(Math.round).join(', ')}; weak ${weak.weak.map(Math.round).join(', ')}\n`,
);
process.exit(0);
