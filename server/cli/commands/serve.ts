// `tongban serve`: the HTTPS server (platform-issued certificate; `pki init` on first run) with
// socket.io, the media plane and the built client. `tongban demo` reuses `startServer`.
import { createApp, type App } from '../../app/create-app.js';
import { ConfigError, loadConfig } from '../../kernel/config.js';
import { CliError, parseOptions, type Command } from '../command.js';

export const serverOptions = {
  data: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

/** Starts the app from flags + environment; stops it cleanly on SIGINT/SIGTERM. */
export async function startServer(
  flags: { data?: string; port?: string; host?: string },
  before?: (app: App) => Promise<void>,
): Promise<App> {
  let config;
  try {
    config = loadConfig({ env: process.env, flags: { dataDir: flags.data, port: flags.port, host: flags.host } });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const app = await createApp({ config });
  try {
    await before?.(app);
    await bootstrapAdmin(app);
    await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new CliError(`port ${config.port} is already in use (try --port)`);
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
async function bootstrapAdmin(app: App): Promise<void> {
  const { users, audit, config } = app.services;
  if ((await users.list()).length > 0) return;
  if (!config.adminPassword) {
    process.stderr.write(
      'tongban: WARNING: no accounts yet: set TONGBAN_ADMIN_PASSWORD to create `admin`, or run `tongban demo`\n',
    );
    return;
  }
  await users.create({
    id: 'admin',
    username: 'admin',
    displayName: '平台管理员',
    role: 'admin',
    siteId: null,
    password: config.adminPassword,
  });
  await audit.append({
    actor: 'system',
    action: 'user.created',
    target: 'user:admin',
    details: { role: 'admin', bootstrap: true },
  });
  process.stdout.write(
    'tongban: created the account `admin` (password from TONGBAN_ADMIN_PASSWORD; its first login asks for a new one)\n',
  );
}

/** Resolves when the process is told to stop (the server keeps it alive until then). */
export const untilStopped = () => new Promise<number>(() => undefined);

export const serve: Command = {
  name: 'serve',
  usage: 'serve [--data DIR] [--port N] [--host H]      HTTPS with a platform-issued server certificate',
  async run(args) {
    const { values } = parseOptions(args, serverOptions);
    const app = await startServer(values);
    process.stdout.write(
      `Tongban Desk: ${app.url}\n  data: ${app.services.config.dataDir}\n  root certificate: ${app.url}/pki/root.pem\n`,
    );
    return untilStopped();
  },
};
