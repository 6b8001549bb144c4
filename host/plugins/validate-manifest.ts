/** Reads and validates a plugin manifest; errors name the file, the field and the problem. */
import fs from 'node:fs';
import type { PluginManifest } from '../api.js';
import { describeErrors, type Validator } from '../validation/validator.js';
import schema from './manifest.schema.json' with { type: 'json' };

export class ManifestError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'ManifestError';
  }
}

export function readManifest(file: string, validator: Validator): PluginManifest {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ManifestError(file, [`not valid JSON (${(e as Error).message})`]);
  }
  const validate = validator.compile(schema);
  if (!validate(data)) throw new ManifestError(file, describeErrors(validate.errors ?? []));
  const manifest = data as PluginManifest;
  for (const right of manifest.rights ?? []) {
    if (!right.id.startsWith(`${manifest.id}.`)) {
      throw new ManifestError(file, [`field "rights": right "${right.id}" must start with "${manifest.id}."`]);
    }
  }
  return manifest;
}
