// The product as a user starts it: `tongban demo` (built CLI) on a fresh data directory and a free
// port, in a child process. Tests talk to it only through HTTPS and browsers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureClientBuilt } from '../media/client-build.js';
import { testCamera } from '../media/browser.js';

const repo = resolve(import.meta.dirname, '../..');

export interface DemoServer {
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

// Seeding the demo (its PKI, 48 past cases with their signatures) is CPU work: measured 103–113 s
// with two demos starting at once beside other tests at load 11 (the core project runs two files at once).
export async function startDemoServer(timeoutMs = 170_000): Promise<DemoServer> {
  const clientDir = ensureClientBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-e2e-'));
  const child = spawn(
    process.execPath,
    [join(repo, 'bin/tongban.cjs'), 'demo', '--data', dataDir, '--port', '0', '--host', '127.0.0.1'],
    {
      cwd: repo,
      env: {
        ...process.env,
        TONGBAN_CLIENT_DIR: clientDir,
        TONGBAN_CAMERA: `${testCamera.width}x${testCamera.height}@${testCamera.frameRate}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tongban demo did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Tongban Desk demo: (https?:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tongban demo exited with ${code}:\n${output}`));
    });
  });
  child.stderr!.on('data', (c: Buffer) => process.stderr.write(`[tongban] ${c.toString()}`));
  return {
    url,
    dataDir,
    async stop() {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
