/** The names a new plugin's files use, all derived from its kebab-case id. */
import path from 'node:path';

export interface PluginNames {
  /** `demo-notes` */
  id: string;
  /** `DemoNotes`: prefix of the plugin's tokens and classes. */
  pascal: string;
  /** `Demo Notes`: the display name. */
  title: string;
  /** `demo_notes_items` */
  table: string;
}

/** The manifest schema's pattern for plugin ids. */
export const PLUGIN_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function pluginNames(id: string): PluginNames {
  const parts = id.split('-');
  return {
    id,
    pascal: parts.map(capitalize).join(''),
    title: parts.map(capitalize).join(' '),
    table: `${id.replace(/-/g, '_')}_items`,
  };
}

/** An ESM import specifier from `fromDir` to a `.ts` file, spelled with the `.js` suffix. */
export function relativeImport(fromDir: string, file: string): string {
  const rel = path.relative(fromDir, file).split(path.sep).join('/').replace(/\.ts$/, '.js');
  return rel.startsWith('.') ? rel : `./${rel}`;
}
