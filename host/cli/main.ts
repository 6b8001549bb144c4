/**
 * `npm run crm -- <command>`: the command line. Built-in commands are parsed straight away and
 * boot the host only when they need the database. Plugins add commands through the
 * `cliCommands` extension point; booting just to list them would slow every command down, so a
 * name commander does not know boots the host once, lets the enabled plugins' contributions
 * configure a fresh program, and parses again.
 */
import { Command } from 'commander';
import { HOST_VERSION, cliCommands, type HostServices } from '../api.js';
import type { Host } from '../boot.js';
import { bootHost, i18nOf, withHost } from './cli-host.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPluginNew } from './commands/plugin-new.js';
import { registerPlugins } from './commands/plugins.js';
import { registerUsers } from './commands/users.js';
import { reportError, translateError } from './errors.js';

export type Action = (host: HostServices) => Promise<void>;
export type Run = (action: Action) => Promise<void>;

/** Boots the host, runs the action on its services, stops. */
export const run: Run = (action) => withHost((host) => action(host.services));

/** The program with the built-in commands; commander errors are thrown, not exited on. */
export function buildProgram(): Command {
  const program = new Command('crm')
    .description('Command line of the CRM workspace host')
    .version(HOST_VERSION)
    .exitOverride()
    .showSuggestionAfterError();
  registerMigrate(program);
  registerPlugins(program);
  registerUsers(program);
  registerPluginNew(program);
  program.addHelpText('after', '\nEnabled plugins add more commands (e.g. import, export, seed); run "crm <command> --help".');
  return program;
}

/** The subcommand the arguments name (`help <command>` names it too); the root takes no option values. */
function requestedCommand(args: string[]): string | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}

function isBuiltIn(program: Command, name: string): boolean {
  return program.commands.some((c) => c.name() === name || c.aliases().includes(name));
}

/** Lets every enabled plugin's `cliCommands` contribution add itself; a broken one is reported and skipped. */
function configurePluginCommands(host: Host, program: Command, runOnHost: Run): void {
  for (const contribution of host.extensions.list(cliCommands)) {
    try {
      contribution.configure(program, runOnHost);
    } catch (err) {
      console.error(`warning: plugin ${contribution.pluginId} could not add command "${contribution.id}": ${(err as Error).message}`);
    }
  }
}

/** Second pass for a name only plugins may know: one boot serves both discovery and the action. */
async function runPluginCommand(args: string[]): Promise<void> {
  const host = await bootHost({ jobs: false });
  try {
    const program = buildProgram();
    const runOnHost: Run = async (action) => {
      try {
        await host.jobs.start(); // plugin commands may wait on jobs (imports, exports)
        await action(host.services);
      } catch (err) {
        throw translateError(err, i18nOf(host));
      }
    };
    configurePluginCommands(host, program, runOnHost);
    await program.parseAsync(args, { from: 'user' });
  } finally {
    await host.stop();
  }
}

export async function main(args: string[]): Promise<number> {
  try {
    const program = buildProgram();
    const name = requestedCommand(args);
    if (name && !isBuiltIn(program, name)) await runPluginCommand(args);
    else await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err);
  }
}

// Exit explicitly: a stopped host may leave idle timers (pool reapers, store sweeps) behind.
process.exitCode = await main(process.argv.slice(2));
process.exit();
