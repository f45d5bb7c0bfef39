// `tongban serve`: the HTTPS server (platform-issued certificate; `pki init` on first run) with
// socket.io, the media plane and the built client. `tongban demo` reuses `startServer`.
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type TongbanApp } from '../../app/create-app.js';
import { ConfigError, loadConfig, type Config } from '../../kernel/config.js';
import { flowsPlugin } from '../../features/ceremony/plugin.js';
import { routeModules } from '../../app/route-modules.js';
import { mediaPlugin, type MediaPluginOptions } from '../../features/media/plugin.js';
import { recordingRoutes } from '../../features/recording/routes.js';
import { CliError, parseOptions, type Command } from '../command.js';

export const serverOptions = {
  data: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

/** Starts the app from flags + environment; stops it cleanly on SIGINT/SIGTERM. */
export async function startServer(
  flags: { data?: string; port?: string; host?: string },
  before?: (app: TongbanApp) => Promise<void>,
): Promise<TongbanApp> {
  let config;
  try {
    config = loadConfig({ env: process.env, flags: { dataDir: flags.data, port: flags.port, host: flags.host } });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const app = await createApp({
    config,
    clientDir: config.clientDir ?? clientDist(),
    modules: [...routeModules, recordingRoutes],
    plugins: [mediaPlugin(mediaOptions(config)), flowsPlugin],
  });
  try {
    await before?.(app);
    await bootstrapAdmin(app);
    await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${config.port} is already in use (try --port)`);
    throw err;
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('tongban: stopping (sealing the audit log)…\n');
    void app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return app;
}

/** A fresh data directory has no accounts: TONGBAN_ADMIN_PASSWORD creates `admin`, else say how to get in. */
async function bootstrapAdmin(app: TongbanApp): Promise<void> {
  const { users, audit, config } = app.ctx;
  if (users.list().length > 0) return;
  if (!config.adminPassword) {
    process.stderr.write('tongban: WARNING: no accounts yet: set TONGBAN_ADMIN_PASSWORD to create `admin`, or run `tongban demo`\n');
    return;
  }
  await users.create({ id: 'admin', username: 'admin', displayName: '平台管理员', role: 'admin', siteId: null, password: config.adminPassword });
  audit.append({ actor: 'system', action: 'user.created', target: 'user:admin', details: { role: 'admin', bootstrap: true } });
  process.stdout.write('tongban: created the account `admin` (password from TONGBAN_ADMIN_PASSWORD)\n');
}

/** The media plane of the configuration: workers, port range, and where WebRTC listens. */
export function mediaOptions(config: Config): MediaPluginOptions {
  const { workers, rtcMinPort, rtcMaxPort, announcedIp } = config.media;
  return { listenIps: [listenIp(config.host, announcedIp)], workers, rtcMinPort, rtcMaxPort };
}

/**
 * Where WebRTC listens: the served host, or every interface. Clients are told the configured
 * announced address (a public IP in front of NAT), else, on every interface, the first external IPv4.
 */
function listenIp(host: string, announcedIp: string | undefined): { ip: string; announcedIp?: string } {
  if (host !== '0.0.0.0' && host !== '::') return { ip: host === 'localhost' ? '127.0.0.1' : host, ...(announcedIp ? { announcedIp } : {}) };
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  return { ip: '0.0.0.0', announcedIp: announcedIp ?? external?.address ?? '127.0.0.1' };
}

/** client/dist next to package.json (works from server/ under tsx and from dist/server/). */
function clientDist(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'client', 'dist');
    dir = dirname(dir);
  }
  return undefined;
}

/** Resolves when the process is told to stop (the server keeps it alive until then). */
export const untilStopped = () => new Promise<number>(() => undefined);

export const serve: Command = {
  name: 'serve',
  usage: 'serve [--data DIR] [--port N] [--host H]      HTTPS with a platform-issued server certificate',
  async run(args) {
    const { values } = parseOptions(args, serverOptions);
    const app = await startServer(values);
    process.stdout.write(`Tongban Desk: ${app.url}\n  data: ${app.ctx.config.dataDir}\n  root certificate: ${app.url}/pki/root.pem\n`);
    return untilStopped();
  },
};
