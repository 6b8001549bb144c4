/**
 * The root plugin.manifest.json names the app (the CRM) and the plugins it is made of. At start
 * the host checks that each is installed, loaded and of a matching version, and reports what is
 * not, so a broken deployment is visible on the plugins page instead of as missing screens.
 */
import fs from 'node:fs';
import semver from 'semver';
import { HOST_VERSION, type PluginManager } from '../api.js';
import { describeErrors, type Validator } from '../validation/validator.js';
import schema from './app-manifest.schema.json' with { type: 'json' };

export interface AppManifest {
  id: string;
  name: Record<string, string>;
  version: string;
  host: string;
  plugins: Record<string, string>;
}

export function checkAppManifest(file: string, validator: Validator, plugins: PluginManager): { app: AppManifest | null; problems: string[] } {
  if (!fs.existsSync(file)) return { app: null, problems: [] };
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { app: null, problems: [`${file}: not valid JSON (${(e as Error).message})`] };
  }
  const validate = validator.compile(schema);
  if (!validate(data)) return { app: null, problems: describeErrors(validate.errors ?? []).map((p) => `${file}: ${p}`) };
  const app = data as AppManifest;
  const problems: string[] = [];
  if (!semver.satisfies(HOST_VERSION, app.host)) problems.push(`app "${app.id}" requires host ${app.host}, but this host is ${HOST_VERSION}`);
  for (const [id, range] of Object.entries(app.plugins)) {
    const p = plugins.get(id);
    if (!p || !p.version) problems.push(`app "${app.id}" needs plugin "${id}" ${range}, which is not installed`);
    else if (!semver.satisfies(p.version, range)) problems.push(`app "${app.id}" needs plugin "${id}" ${range}, but version ${p.version} is installed`);
    else if (p.state === 'failed' || p.state === 'skipped') problems.push(`app "${app.id}" needs plugin "${id}", which could not load: ${p.error}`);
  }
  return { app, problems };
}
