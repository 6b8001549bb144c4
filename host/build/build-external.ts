/**
 * Compiles a module that `npm run build` did not (a plugin found through CRM_PLUGIN_PATH, a plugin
 * written in JavaScript) for a host running compiled. The module and its own files are bundled into one file under
 * `dist/external/`; its imports of the project's code (`host/api.js`) point at the compiled copies
 * the host itself runs, so the plugin shares the host's modules (its extension points, its error
 * classes) instead of loading a second copy of them. Bare imports are bundled from the module's
 * own folder, as they would resolve there.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { DIST, runtimeFile } from '../root.js';
import { writeIfChanged } from './write-if-changed.js';

const projectCode: Plugin = {
  name: 'project-code',
  setup(b) {
    b.onResolve({ filter: /^\.{0,2}\// }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const file = path.resolve(args.resolveDir, args.path);
      const compiled = runtimeFile(file);
      return compiled === file ? undefined : { path: pathToFileURL(compiled).href, external: true };
    });
  },
};

/** Returns the compiled file to import in place of `file`. */
export async function buildExternal(file: string): Promise<string> {
  const name = `${path.basename(file).replace(/\.[cm]?ts$/, '')}-${createHash('sha256').update(file).digest('hex').slice(0, 16)}.mjs`;
  const outfile = path.join(DIST, 'external', name);
  const result = await build({
    entryPoints: [file],
    outfile,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    supported: { 'import-attributes': true },
    plugins: [projectCode],
    logLevel: 'silent',
  });
  for (const out of result.outputFiles) writeIfChanged(out.path, out.contents);
  return outfile;
}
