/**
 * `npm run crm -- import <file> [--mapping m.json] ...` for administrators: the same checks and
 * pipeline as the wizard, run in place with progress on the terminal, a summary, and the failed
 * rows written to a CSV when asked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { TOKENS, cliCommands, type CurrentUser, type HostServices, type JobContext, type PluginContext, type UsersService } from '../../../../host/api.js';
import { actingAdmin } from '../../seed/demo-context.js';
import { ImportTokens, type DedupeKey, type ImportOptions, type MappingTarget, type OnDuplicate } from '../import-contract.js';
import type { ImportServiceImpl } from './import-service.js';

interface CliOptions {
  mapping?: string;
  dedupe: DedupeKey[];
  onDuplicate: OnDuplicate;
  dryRun?: boolean;
  keepValid?: boolean;
  kind: 'person' | 'company';
  user?: string;
  errors?: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function dedupeKeys(value: string): DedupeKey[] {
  const keys = value.split(',').map((k) => k.trim()).filter(Boolean);
  const bad = keys.find((k) => !['email', 'phone', 'tax_id', 'external_id'].includes(k));
  if (bad) throw new InvalidArgumentError(`"${bad}" is not one of email, phone, tax_id, external_id`);
  return keys as DedupeKey[];
}

function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!values.includes(value as T)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return value as T;
  };
}

/** A mapping file: an array of targets in column order, or an object from header to target. */
function readMapping(file: string, headers: string[]): MappingTarget[] {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (Array.isArray(parsed)) return parsed.map(String);
  if (parsed && typeof parsed === 'object') return headers.map((h) => String((parsed as Record<string, unknown>)[h] ?? 'skip'));
  throw new Error(`${file}: expected a JSON array of targets or an object from column name to target`);
}

async function importAs(host: HostServices, email: string | undefined): Promise<CurrentUser> {
  if (!email) return actingAdmin(host);
  const users = host.get<UsersService>(TOKENS.Users);
  const record = await users.findByEmail(email);
  const user = record?.isActive ? await users.currentUser(record.id) : null;
  if (!user) throw new Error(`There is no active user ${email}`);
  return user;
}

async function runImport(host: HostServices, file: string, options: CliOptions): Promise<void> {
  const service = host.get<ImportServiceImpl>(ImportTokens.Service);
  const user = await importAs(host, options.user);
  // The service keeps (moves) the files it stages: give it a copy, the administrator's file stays.
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-')), 'upload');
  fs.copyFileSync(file, copy);
  const { uploadId, sniff } = await service.stage(user, { path: copy, originalName: path.basename(file) });
  const mapping = options.mapping ? readMapping(options.mapping, sniff.headers) : await service.suggestMapping(user, sniff.headers);
  console.log(`${path.basename(file)}: ${sniff.format.toUpperCase()}${sniff.encoding ? `, ${sniff.encoding}` : ''}, ${sniff.headers.length} columns`);
  for (const [i, h] of sniff.headers.entries()) console.log(`  ${h} -> ${mapping[i] ?? 'skip'}`);
  const importOptions: ImportOptions = {
    dedupe_keys: options.onDuplicate === 'create' ? [] : options.dedupe,
    on_duplicate: options.onDuplicate,
    dry_run: Boolean(options.dryRun),
    keep_valid: Boolean(options.keepValid),
    kind: options.kind,
    apply: {},
    read: sniff.options,
  };
  const id = await service.record(user, uploadId, mapping, importOptions);
  const started = Date.now();
  let last = 0;
  const job: JobContext<unknown> = {
    id: `cli-${id}`,
    payload: { importId: id },
    userId: user.id,
    checkpoint: null,
    logger: pino({ level: 'silent' }),
    cancelled: async () => false,
    progress: async (processed, total) => {
      if (Date.now() - last < 1000 && processed !== total) return;
      last = Date.now();
      console.log(`${fmt(processed)} / ${fmt(total ?? 0)} rows · ${fmt(processed / Math.max((Date.now() - started) / 1000, 0.001))} rows/s`);
    },
  };
  await service.execute(id, job);
  const record = await service.get(user, id);
  console.log(
    `${record.dry_run ? 'Dry run' : 'Import'} #${id} ${record.state}: ${fmt(record.created)} created, ${fmt(record.updated)} updated, ` +
      `${fmt(record.skipped)} skipped, ${fmt(record.failed)} failed in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
  if (record.error) console.log(record.error);
  if (record.failed && options.errors) {
    await pipeline(await service.failedRowsCsv(user, id, 'en'), fs.createWriteStream(options.errors));
    console.log(`Failed rows with their reasons: ${options.errors}`);
  }
  if (record.state !== 'done') process.exitCode = 1;
}

export function registerImportCli(ctx: PluginContext): void {
  ctx.extend(cliCommands, {
    id: 'import',
    configure(program: Command, run) {
      program
        .command('import')
        .description('import contacts from a CSV or XLSX file (columns mapped from their names, or by --mapping)')
        .argument('<file>', 'the CSV or XLSX file')
        .option('--mapping <file>', 'JSON: an array of targets in column order, or {"column name": "target"}')
        .option('--dedupe <keys>', 'duplicate keys: email, phone, tax_id, external_id (comma-separated)', dedupeKeys, ['email'] as DedupeKey[])
        .option('--on-duplicate <policy>', 'create, skip or update', oneOf(['create', 'skip', 'update'] as const), 'skip' as OnDuplicate)
        .option('--dry-run', 'report what would happen; write nothing')
        .option('--keep-valid', 'import the valid rows even when some fail')
        .option('--kind <kind>', 'kind of contacts when no column says: person or company', oneOf(['person', 'company'] as const), 'person' as const)
        .option('--user <email>', 'import as this user (default: the administrator)')
        .option('--errors <file>', 'write the failed rows with their reasons to this CSV')
        .action((file: string, options: CliOptions) => run((host) => runImport(host, file, options)));
    },
  });
}
