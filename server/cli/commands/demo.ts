// `tongban demo`: seeds DESIGN §10 (idempotent) and serves, printing the URL and the demo accounts.
import { DEMO_PASSWORD, DEMO_PIN, demoUsers } from '../../demo/demo-data.js';
import { seedDemo } from '../../demo/seed-demo.js';
import { seedDemoHistory } from '../../demo/seed-demo-history.js';
import { parseOptions, type Command } from '../command.js';
import { serverOptions, startServer, untilStopped } from './serve.js';

export const demo: Command = {
  name: 'demo',
  usage: 'demo [--data DIR] [--port N] [--host H]       seed the demo (idempotent) and serve',
  async run(args) {
    const { values } = parseOptions(args, serverOptions);
    let report = { usersCreated: 0, certificatesIssued: 0 };
    let pastCases = 0;
    const app = await startServer(values, async (a) => {
      report = await seedDemo(a.services);
      // Past cases and their ratings, so the statistics dashboard has something to show.
      pastCases = await seedDemoHistory(a.services);
    });
    const sites = new Map((await app.services.catalog.sites()).map((s) => [s.id, s.name]));
    const rows = demoUsers.map((u) => [
      u.username,
      u.role,
      u.siteId ? `${u.siteId} ${sites.get(u.siteId) ?? ''}` : '(platform)',
      u.displayName,
    ]);
    const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length), 8);
    const out = [
      `Tongban Desk demo: ${app.url}`,
      `  data: ${app.services.config.dataDir} (seeded: ${report.usersCreated} new accounts, ${report.certificatesIssued} new certificates, ${pastCases} past cases)`,
      `  root certificate: ${app.url}/pki/root.pem`,
      '',
      `Demo accounts (password ${DEMO_PASSWORD}; signing PIN ${DEMO_PIN} for clerks and officials; demo only):`,
      ...rows.map((r) => `  ${r[0]!.padEnd(width(0))}  ${r[1]!.padEnd(width(1))}  ${r[2]!.padEnd(width(2))}  ${r[3]}`),
      '',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return untilStopped();
  },
};
