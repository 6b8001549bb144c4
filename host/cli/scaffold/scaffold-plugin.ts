/**
 * `crm plugin:new <id>`: writes a working plugin (manifest, entry, public api, service,
 * migration, view, locales, test) into `<parent>/<id>/`, refusing bad or taken ids.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LANGUAGES } from '../../api.js';
import { ROOT } from '../../root.js';
import { CliError } from '../errors.js';
import { apiFile, indexFile, migrationFile, serviceFile, testFile, type HostImports } from './plugin-files.js';
import { PLUGIN_ID, pluginNames, relativeImport } from './plugin-names.js';
import { indexView, localeFile, manifestFile } from './plugin-text-files.js';

/** Ids whose page or API paths would collide with the host's own routes. */
const RESERVED = new Set(['host', 'api', 'admin', 'assets', 'account', 'auth', 'login', 'logout', 'jobs', 'me', 'users', 'groups', 'plugins', 'openapi']);

export interface ScaffoldResult {
  dir: string;
  files: string[];
  /** False when the folder is outside the project's tsconfig and decorators are applied as calls. */
  decorators: boolean;
}

/** Ids of plugins already present in the given folders (read from their manifests). */
function existingIds(roots: string[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
      const dir = path.join(root, entry.name);
      const file = path.join(dir, 'plugin.manifest.json');
      if (!entry.isDirectory() || !fs.existsSync(file)) continue;
      try {
        const id = (JSON.parse(fs.readFileSync(file, 'utf8')) as { id?: unknown }).id;
        if (typeof id === 'string') ids.set(id, dir);
      } catch {
        // a broken manifest is the host's problem to report, not a reason to refuse
      }
    }
  }
  return ids;
}

/** Whether tsx compiles files in `dir` with the project's tsconfig (experimentalDecorators). */
export function coveredByTsconfig(dir: string): boolean {
  const rel = path.relative(ROOT, dir);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const parts = rel.split(path.sep);
  if (parts.some((p) => p.startsWith('.'))) return false;
  let include = ['plugins'];
  try {
    include = (JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { include?: string[] }).include ?? include;
  } catch {
    // keep the default
  }
  return include.includes(parts[0]!);
}

function validate(id: string, parentDir: string): void {
  if (!PLUGIN_ID.test(id) || id.length > 64) {
    throw new CliError(`"${id}" is not a valid plugin id: use lowercase letters and digits in words joined by "-", e.g. "my-plugin"`);
  }
  if (RESERVED.has(id)) throw new CliError(`"${id}" is reserved by the host; choose another id`);
  const roots = [path.join(ROOT, 'plugins'), parentDir, ...(process.env.CRM_PLUGIN_PATH ?? '').split(path.delimiter).filter(Boolean).map((p) => path.resolve(p))];
  const taken = existingIds([...new Set(roots)]).get(id);
  if (taken) throw new CliError(`A plugin "${id}" already exists in ${taken}`);
  const dir = path.join(parentDir, id);
  if (fs.existsSync(dir)) throw new CliError(`${dir} already exists`);
}

export function scaffoldPlugin(id: string, parentDir: string): ScaffoldResult {
  validate(id, parentDir);
  const dir = path.join(parentDir, id);
  const names = pluginNames(id);
  const api = path.join(ROOT, 'host', 'api.ts');
  const from = (sub: string) => path.join(dir, sub);
  const host: HostImports = {
    api: { root: relativeImport(dir, api), services: relativeImport(from('services'), api), migrations: relativeImport(from('migrations'), api) },
    boot: relativeImport(from('tests'), path.join(ROOT, 'host', 'boot.ts')),
    loadConfig: relativeImport(from('tests'), path.join(ROOT, 'host', 'config', 'load-config.ts')),
  };
  const decorators = coveredByTsconfig(dir);

  const files: Record<string, string> = {
    'plugin.manifest.json': manifestFile(names),
    'api.ts': apiFile(names),
    'index.ts': indexFile(names, host),
    [`services/${id}-service.ts`]: serviceFile(names, host, decorators),
    [`migrations/0001-create-${id}-items.ts`]: migrationFile(names, host),
    'views/index.hbs': indexView(names),
    [`tests/${id}.test.ts`]: testFile(names, host),
  };
  for (const language of LANGUAGES) files[`locales/${language}.json`] = localeFile(names, language);

  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { flag: 'wx' });
  }
  return { dir, files: Object.keys(files).sort(), decorators };
}
