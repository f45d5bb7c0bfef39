// Files that ship with the installation (the built web client, the mediasoup worker in .deps/):
// found from the folder holding package.json, from source (tsx) and from the bundled CLI alike.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function installationDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** client/dist of the installation: what `npm run build` produced. */
export const builtClientDir = (): string => resolve(installationDir(), 'client', 'dist');
