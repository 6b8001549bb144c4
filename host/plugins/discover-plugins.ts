/**
 * Finds plugin folders (each with a plugin.manifest.json) under `plugins/` and every
 * CRM_PLUGIN_PATH folder. A folder with a broken manifest is reported, never fatal.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PluginManifest } from '../api.js';
import type { Validator } from '../validation/validator.js';
import { readManifest } from './validate-manifest.js';

export interface DiscoveredPlugin {
  manifest: PluginManifest;
  dir: string;
}

export interface BrokenPlugin {
  /** The folder name, used as the id when the manifest cannot tell it. */
  id: string;
  dir: string;
  error: string;
}

export function discoverPlugins(roots: string[], validator: Validator): { found: DiscoveredPlugin[]; broken: BrokenPlugin[] } {
  const found: DiscoveredPlugin[] = [];
  const broken: BrokenPlugin[] = [];
  const seen = new Map<string, string>();
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    for (const entry of fs.readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(root, entry.name);
      const file = path.join(dir, 'plugin.manifest.json');
      if (!fs.existsSync(file)) continue;
      try {
        const manifest = readManifest(file, validator);
        const other = seen.get(manifest.id);
        if (other) {
          broken.push({ id: manifest.id, dir, error: `plugin id "${manifest.id}" is already provided by ${other}` });
          continue;
        }
        if (!fs.existsSync(path.join(dir, manifest.main))) {
          broken.push({ id: manifest.id, dir, error: `${file}: field "main": file "${manifest.main}" does not exist` });
          continue;
        }
        seen.set(manifest.id, dir);
        found.push({ manifest, dir });
      } catch (e) {
        broken.push({ id: entry.name, dir, error: (e as Error).message });
      }
    }
  }
  return { found, broken };
}
