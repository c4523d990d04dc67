// Build: tsc into dist/ (and the strategy SDK's declarations), copy the SQL migrations beside their compiled loader, and write the dist/cli.js entry.
// `--if-stale` skips the work when dist/ is newer than every source file (so `npm run demo` on a fresh clone,
// after `npm ci` already built, starts at once).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli.js');

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale') && existsSync(entry)) {
  const built = statSync(entry).mtimeMs;
  const sources = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'strategies')));
  if (sources <= built) process.exit(0);
}

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
for (const project of ['tsconfig.json', 'tsconfig.sdk.json']) {
  // the second pass writes the .d.ts of the strategy SDK (package.json exports "./strategy") and what it imports
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: TypeScript compilation failed (${project}; see the errors above).`);
    process.exit(r.status ?? 1);
  }
}

const migrationsSrc = join(root, 'src', 'store', 'migrations');
const migrationsOut = join(root, 'dist', 'src', 'store', 'migrations');
mkdirSync(migrationsOut, { recursive: true });
cpSync(migrationsSrc, migrationsOut, { recursive: true, filter: (p) => !p.endsWith('.ts') });

writeFileSync(entry, "#!/usr/bin/env node\nimport './src/cli.js';\n");
chmodSync(entry, 0o755);
