/**
 * The one way the host imports code found at run time: plugins' entry points, migrations and
 * benchmark files. Under tsx it imports the file; compiled, the file's copy under `dist/`. A
 * TypeScript file outside the project (a plugin in CRM_PLUGIN_PATH) has no compiled copy, so it is
 * compiled when first imported (`host/build/build-external.ts`).
 */
import { pathToFileURL } from 'node:url';
import { COMPILED, runtimeFile } from '../root.js';

export async function importModule<T>(file: string): Promise<T> {
  let target = runtimeFile(file);
  if (COMPILED && /\.[cm]?ts$/.test(target)) {
    const { buildExternal } = await import('../build/build-external.js');
    target = await buildExternal(target);
  }
  return (await import(pathToFileURL(target).href)) as T;
}
