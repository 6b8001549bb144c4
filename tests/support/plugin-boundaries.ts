/**
 * The house rule for plugins: import only the host SDK (host/api), the `api.ts` of plugins listed
 * as dependencies, your own files, and npm packages. Returns every import that breaks it.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Violation {
  file: string;
  specifier: string;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.split(path.sep).includes('node_modules'))
    .map((f) => path.join(dir, f));
}

/**
 * A plugin's own tests and benchmarks may also boot the host and use the project's test kit
 * (tests/support) and bench harness (bench/), but not reach into other plugins.
 */
export function checkPluginBoundaries(pluginsRoot: string, hostApi: string): Violation[] {
  const root = path.resolve(path.dirname(hostApi), '..');
  const testKit = [path.join(root, 'host') + path.sep, path.join(root, 'tests', 'support') + path.sep, path.join(root, 'bench') + path.sep];
  const violations: Violation[] = [];
  for (const id of fs.readdirSync(pluginsRoot)) {
    const dir = path.join(pluginsRoot, id);
    const manifestFile = path.join(dir, 'plugin.manifest.json');
    if (!fs.existsSync(manifestFile)) continue;
    const deps = Object.keys((JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
    const allowed = new Set([hostApi.replace(/\.ts$/, ''), ...deps.map((d) => path.join(pluginsRoot, d, 'api'))]);
    for (const file of sourceFiles(dir)) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        if (!spec.startsWith('.')) continue; // npm packages and node: built-ins
        const target = path.resolve(path.dirname(file), spec).replace(/\.(js|ts)$/, '');
        const inside = target === dir || target.startsWith(dir + path.sep);
        const isTest = file.startsWith(path.join(dir, 'tests') + path.sep) || file.startsWith(path.join(dir, 'bench') + path.sep);
        const testKitImport = isTest && testKit.some((p) => target.startsWith(p));
        if (!inside && !allowed.has(target) && !testKitImport) violations.push({ file: path.relative(pluginsRoot, file), specifier: spec });
      }
    }
  }
  return violations;
}
