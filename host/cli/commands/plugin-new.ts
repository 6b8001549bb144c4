/** `crm plugin:new <id>`: scaffolds a working plugin; needs no database. */
import path from 'node:path';
import type { Command } from 'commander';
import { ROOT } from '../../root.js';
import { scaffoldPlugin } from '../scaffold/scaffold-plugin.js';

export function registerPluginNew(program: Command): void {
  program
    .command('plugin:new <id>')
    .description('create a working plugin skeleton (manifest, routes, service, migration, view, locales, test)')
    .option('--dir <folder>', 'the folder to create it in', path.join(ROOT, 'plugins'))
    .action((id: string, options: { dir: string }) => {
      const result = scaffoldPlugin(id, path.resolve(options.dir));
      console.log(`Created plugin ${id} in ${result.dir}:`);
      for (const file of result.files) console.log(`  ${file}`);
      const inPlugins = path.dirname(result.dir) === path.join(ROOT, 'plugins');
      console.log('\nNext:');
      if (!inPlugins) console.log(`  export CRM_PLUGIN_PATH=${path.dirname(result.dir)}   # so the host finds it`);
      console.log('  npm run crm -- migrate    # creates its table');
      console.log(`  npm start                 # then open /${id}`);
      if (!result.decorators) console.log('\nNote: the folder is outside the project\'s tsconfig, so the service applies its DI decorators as plain calls.');
    });
}
