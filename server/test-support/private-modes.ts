// Walks a data directory for anything group- or world-accessible (issue 12: files 0600, directories 0700).
import { lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** `checked`: every path below `root` (relative); `open`: those whose mode is not 0600 (files) or 0700 (directories). */
export function privateModes(root: string): { checked: string[]; open: string[] } {
  const checked: string[] = [];
  const open: string[] = [];
  const walk = (path: string): void => {
    const st = lstatSync(path);
    const rel = relative(root, path) || '.';
    checked.push(rel);
    const want = st.isDirectory() ? 0o700 : 0o600;
    if (!st.isSymbolicLink() && (st.mode & 0o777) !== want) open.push(`${rel} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return { checked, open };
}
