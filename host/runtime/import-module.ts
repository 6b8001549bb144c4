/**
 * The one way the host imports code found at run time: plugins' entry points, migrations and
 * benchmark files. Under tsx it imports the file; compiled, the file's copy under `dist/`. A
 * module with no compiled copy (a plugin in CRM_PLUGIN_PATH, a plugin written in JavaScript) is
 * compiled when first imported (`host/build/build-external.ts`): TypeScript needs it, and its
 * imports of the project's code must reach the compiled modules the host runs.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMPILED, runtimeFile } from '../root.js';

export async function importModule<T>(file: string): Promise<T> {
  let target = runtimeFile(file);
  if (COMPILED && target === file && !file.split(path.sep).includes('node_modules')) {
    const { buildExternal } = await import('../build/build-external.js');
    target = await buildExternal(target);
  }
  return (await import(pathToFileURL(target).href)) as T;
}
