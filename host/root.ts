import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * True when the host runs from its compiled copy under `dist/` (`npm start`, `npm run crm`,
 * `npm run bench`), false when tsx runs the TypeScript sources (the tests, `npm run dev`).
 */
export const COMPILED = path.basename(path.dirname(HERE)) === 'dist' && import.meta.url.endsWith('.js');

/**
 * The project's root folder (where package.json is). Views, locales, assets, manifests and the
 * migrations' names are always read from here, compiled or not; only code is imported from `dist/`.
 */
export const ROOT = path.resolve(HERE, COMPILED ? '../..' : '..');

/** Where `npm run build` writes the compiled JavaScript, mirroring the folders it compiles. */
export const DIST = path.join(ROOT, 'dist');

/** The project's folders holding code that `npm run build` compiles. */
export const CODE_FOLDERS = ['host', 'plugins', 'migrations', 'bench'] as const;

/**
 * The file to import for a module: the file itself under tsx; when the host runs compiled, the
 * compiled copy under `dist/` of a TypeScript module of the project, named by its `.ts` or, as
 * imports name it, by its `.js`. Anything else (a plugin's plain JavaScript, a plugin found
 * through CRM_PLUGIN_PATH, node_modules) is imported as it is.
 */
export function runtimeFile(file: string): string {
  if (!COMPILED) return file;
  const relative = path.relative(ROOT, file);
  if (!(CODE_FOLDERS as readonly string[]).includes(relative.split(path.sep)[0])) return file;
  const source = relative.replace(/\.js$/, '.ts');
  if (!source.endsWith('.ts') || !fs.existsSync(path.join(ROOT, source))) return file;
  return path.join(DIST, source.replace(/\.ts$/, '.js'));
}
