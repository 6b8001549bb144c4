/**
 * `npm run build`: compiles the project's TypeScript to JavaScript under `dist/`, which is what
 * `npm start`, `npm run crm` and `npm run bench` run. Why not tsx there too: tsx keeps esbuild,
 * its own loader and every module's inline source map in the server's memory. A host booted on
 * 1,000,000 contacts held 140 MB compiled against 200 MB under tsx, and importing 100,000 rows
 * peaked about 65 MB lower. The CPU time was the same.
 *
 * Only code is compiled, file by file (no bundle: plugins and migrations are found at run time).
 * Views, locales, assets and manifests stay where they are and are read from there (`host/root.ts`).
 * A file is replaced only when its content changed (`write-if-changed.ts`); files whose source is
 * gone are removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { CODE_FOLDERS, DIST, ROOT } from '../root.js';
import { writeIfChanged } from './write-if-changed.js';

/** Folders compiled on top of CODE_FOLDERS: what the benchmarks share with the tests. */
const SUPPORT_FOLDERS = ['tests/support'];
const SKIPPED = /(^|\/)(fixtures|node_modules)\/|\.test\.ts$|\.d\.ts$/;

function sources(): { code: string[]; json: string[] } {
  const code: string[] = [];
  const json: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED.test(`${rel}/`) && entry.name !== 'locales') walk(rel);
      } else if (SKIPPED.test(rel)) continue;
      else if (entry.name.endsWith('.ts')) code.push(rel);
      // Code imports JSON schemas next to it (import attributes), so they travel with it.
      else if (entry.name.endsWith('.json')) json.push(rel);
    }
  };
  for (const dir of [...CODE_FOLDERS, ...SUPPORT_FOLDERS]) if (fs.existsSync(path.join(ROOT, dir))) walk(dir);
  return { code, json };
}

function removeOthers(dir: string, keep: Set<string>, spare: string): void {
  if (!fs.existsSync(dir) || dir === spare) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removeOthers(full, keep, spare);
      if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
    } else if (!keep.has(full)) fs.rmSync(full, { force: true });
  }
}

export interface BuildOutcome {
  files: number;
  changed: number;
  ms: number;
}

export async function buildDist(): Promise<BuildOutcome> {
  const started = performance.now();
  const { code, json } = sources();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: code,
    outdir: DIST,
    outbase: ROOT,
    bundle: false,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // `import schema from './x.json' with { type: 'json' }` must keep its attribute for Node.
    supported: { 'import-attributes': true },
    sourcemap: 'linked',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    logLevel: 'silent',
  });
  const written = new Set<string>();
  let changed = 0;
  const write = (file: string, contents: Uint8Array) => {
    written.add(file);
    if (writeIfChanged(file, contents)) changed++;
  };
  for (const out of result.outputFiles) write(out.path, out.contents);
  for (const rel of json) write(path.join(DIST, rel), fs.readFileSync(path.join(ROOT, rel)));
  // dist/external/ holds plugins from outside the project, compiled when they are loaded.
  removeOthers(DIST, written, path.join(DIST, 'external'));
  return { files: written.size, changed, ms: Math.round(performance.now() - started) };
}
