/**
 * The CRM's demo data: the first-start seeder (about 200 contacts through the contacts service)
 * and `npm run crm -- seed --contacts N [--seed S]`, which fills a base in bulk for benchmarks.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { TOKENS, cliCommands, seeders, type ExtensionRegistry, type HostServices, type PluginContext } from '../../../host/api.js';
import { seedContactsInBulk, type BulkSeedProgress } from './bulk-seed.js';
import { seedDemoContacts } from './demo-seeder.js';

const MAX_CONTACTS = 10_000_000;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${fmt(min)} to ${fmt(max)}`);
    return n;
  };
}

/** One line per second at most on a terminal (redrawn in place), one per 10 seconds in a log. */
function progressPrinter(out: NodeJS.WriteStream = process.stdout): (p: BulkSeedProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    const final = p.contacts >= p.total;
    if (!final && now - last < (out.isTTY ? 1000 : 10_000)) return;
    last = now;
    const seconds = Math.max(p.elapsedMs, 1) / 1000;
    const line = `${fmt(p.contacts)} / ${fmt(p.total)} contacts · ${fmt(p.contacts / seconds)} contacts/s · ${fmt(p.rows / seconds)} rows/s`;
    if (out.isTTY) out.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else out.write(`${line}\n`);
  };
}

interface SeedOptions {
  contacts: number;
  seed: number;
  batch: number;
  withPlugins?: boolean;
}

async function runSeed(host: HostServices, options: SeedOptions): Promise<void> {
  console.log(`Seeding ${fmt(options.contacts)} demo contacts (seed ${options.seed}, ${fmt(options.batch)} per transaction)...`);
  const result = await seedContactsInBulk(host, { contacts: options.contacts, seed: options.seed, batchSize: options.batch, onProgress: progressPrinter() });
  const seconds = Math.max(result.elapsedMs, 1) / 1000;
  console.log(
    `Done: ${fmt(result.contacts)} contacts (${fmt(result.companies)} companies), ${fmt(result.rows)} rows in ${seconds.toFixed(1)} s ` +
      `(${fmt(result.contacts / seconds)} contacts/s, ${fmt(result.rows / seconds)} rows/s).`,
  );
  if (!options.withPlugins) return;
  // Other apps' demo data built on contacts (orders, deals...): the seeders ordered after ours.
  for (const seeder of host.get<ExtensionRegistry>(TOKENS.Extensions).list(seeders)) {
    if (seeder.pluginId === 'crm' || (seeder.order ?? 100) <= 50) continue;
    const summary = await seeder.run(host, { size: options.contacts });
    console.log(`${seeder.pluginId}: ${summary || 'demo data seeded'}`);
  }
}

export function registerCrmCli(ctx: PluginContext): void {
  ctx.extend(seeders, {
    id: 'crm-demo',
    order: 50, // after the dictionaries (10), before apps that hang data on contacts (orders: 60)
    run: (host, { size }) => seedDemoContacts(host, { size }),
  });

  ctx.extend(cliCommands, {
    id: 'seed',
    configure(program: Command, run) {
      program
        .command('seed')
        .description('add realistic demo contacts (companies, employees, persons) in bulk, e.g. for benchmarks')
        .requiredOption('--contacts <n>', `how many contacts (1 to ${fmt(MAX_CONTACTS)})`, integer(1, MAX_CONTACTS))
        .option('--seed <s>', 'random seed: the same seed gives the same contacts', integer(0, 2 ** 31 - 1), 1)
        .option('--batch <n>', 'contacts per transaction', integer(100, 20_000), 2000)
        .option('--with-plugins', "also run other apps' demo seeders (orders...) for the new contacts")
        .action((options: SeedOptions) => run((host) => runSeed(host, options)));
    },
  });
}
