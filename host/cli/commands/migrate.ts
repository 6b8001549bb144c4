/** `crm migrate`: applies the host's and every installed plugin's pending migrations. */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { HostConfig } from '../../api.js';
import { createDatabase } from '../../db/create-database.js';
import { Migrator } from '../../db/migrator.js';
import { cliConfig, cliLogger, withHost } from '../cli-host.js';
import { CliError } from '../errors.js';

/** What the database has applied so far, read before the boot migrates anything. */
async function executedBefore(config: HostConfig, logger: Logger): Promise<Set<string>> {
  const db = await createDatabase(config.databaseUrl, logger);
  try {
    return new Set(await new Migrator(db, logger).executed());
  } finally {
    await db.close();
  }
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending migrations of the host and of every installed plugin')
    .action(async () => {
      const config = cliConfig();
      const logger = cliLogger(config.logLevel);
      const before = await executedBefore(config, logger);
      await withHost(
        async (host) => {
          const executed = await host.migrator.executed();
          const applied = executed.filter((name) => !before.has(name));
          if (applied.length) {
            console.log(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}:`);
            for (const name of applied) console.log(`  ${name}`);
          } else {
            console.log(`Nothing to migrate (${executed.length} migrations already applied).`);
          }
          const failed = host.plugins.list().filter((p) => p.error?.startsWith('migration failed'));
          if (failed.length) throw new CliError(failed.map((p) => `plugin ${p.id}: ${p.error}`).join('\n'));
        },
        { config, logger },
      );
    });
}
