// Where the package itself lives (for config/default.json and built-in files), from src/ under tests or dist/src/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'magma-agent') {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the magma-agent package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/**
 * The URL of a compiled module to start as a worker thread, given the URL of a module beside it. Under tests the
 * sources run as TypeScript, which a worker cannot load: the compiled copy in dist/ (npm test builds first) is used.
 */
export function workerModuleUrl(name: string, besideUrl: string): URL {
  const url = new URL(name, besideUrl);
  if (!fileURLToPath(besideUrl).endsWith('.ts')) return url;
  const rel = fileURLToPath(url).slice(packageRoot().length + 1);
  return new URL(`file://${join(packageRoot(), 'dist', rel)}`);
}
