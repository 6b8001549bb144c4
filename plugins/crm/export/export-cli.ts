/**
 * `npm run crm -- export [--format xlsx|csv] [--out FILE] [--columns a,b] [--filter key=value]...`:
 * the export from the command line, run as a user (an administrator by default) so the access
 * scope applies as it would on the page; the file goes to --out or to standard output, and the
 * export is logged like any other.
 */
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { InvalidArgumentError, type Command } from 'commander';
import { HttpError, LANGUAGES, TOKENS, cliCommands, type HostConfig, type Language, type PluginContext, type UsersService } from '../../../host/api.js';
import { exportInput } from './export-params.js';
import { ExportService } from './export-service.js';
import { CSV_DELIMITERS, EXPORT_FORMATS, type CsvDelimiter, type ExportFormat } from './export-writers.js';

interface ExportCliOptions {
  format: ExportFormat;
  out?: string;
  columns?: string;
  filter: string[];
  delimiter: CsvDelimiter;
  bom?: boolean;
  as?: string;
  language: Language;
}

function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of: ${values.join(', ')}`);
    return value as T;
  };
}

function filterPair(value: string, previous: string[]): string[] {
  if (!/^[A-Za-z0-9_.-]+=/.test(value)) throw new InvalidArgumentError('expected key=value, e.g. status_id=3 or custom.industry=IT');
  return [...previous, value];
}

export function registerExportCli(ctx: PluginContext): void {
  ctx.extend(cliCommands, {
    id: 'export',
    configure(program: Command, run) {
      program
        .command('export')
        .description('export contacts to an XLSX or CSV file, with the list filters, as a user who holds the export right')
        .option('--format <format>', `file format (${EXPORT_FORMATS.join(', ')})`, oneOf(EXPORT_FORMATS), 'xlsx')
        .option('--out <file>', 'write to this file (default: standard output)')
        .option('--columns <ids>', 'column ids separated by commas, e.g. name,emails,status,custom.industry (default: the usual columns)')
        .option('--filter <key=value>', 'a list filter as in GET /api/v1/contacts, e.g. status_id=3, tag=vip, segment_id=2 (repeatable)', filterPair, [])
        .option('--delimiter <name>', `CSV delimiter (${Object.keys(CSV_DELIMITERS).join(', ')})`, oneOf(Object.keys(CSV_DELIMITERS) as CsvDelimiter[]), 'comma')
        .option('--bom', 'start a CSV with a UTF-8 byte order mark (for Excel)')
        .option('--as <email>', 'run as this user (default: the administrator from CRM_ADMIN_EMAIL)')
        .option('--language <lng>', `language of the column titles (${LANGUAGES.join(', ')})`, oneOf(LANGUAGES), 'en')
        .action((options: ExportCliOptions) =>
          run(async (host) => {
            const users = host.get<UsersService>(TOKENS.Users);
            const email = options.as ?? host.get<HostConfig>(TOKENS.Config).adminEmail;
            const record = await users.findByEmail(email);
            const user = record?.isActive ? await users.currentUser(record.id) : null;
            if (!user) throw new HttpError(400, 'invalid_input', 'crm:export.cli_no_user', undefined, { email });
            if (!user.can('crm.access') || !user.can('crm.contacts.export')) throw new HttpError(403, 'forbidden', 'crm:export.cli_no_right', undefined, { email });
            const filter = new URLSearchParams(options.filter.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])).toString();
            const input = exportInput({ format: options.format, columns: options.columns ? [options.columns] : [], delimiter: options.delimiter, bom: Boolean(options.bom) }, filter, options.language);
            const service = new ExportService(ctx);
            const plan = await service.plan(user, input);
            // Standard output is never ended by the writer: it goes through a pass-through that is.
            const out = options.out ? fs.createWriteStream(options.out) : new PassThrough();
            if (!options.out) (out as PassThrough).pipe(process.stdout, { end: false });
            const closed = new Promise((resolve, reject) => out.on(options.out ? 'close' : 'end', resolve).on('error', reject));
            const rows = await service.download(user, plan, out);
            await closed;
            // The summary goes to stderr so standard output holds only the file.
            process.stderr.write(`Exported ${rows} contacts as ${options.format.toUpperCase()}${options.out ? ` to ${options.out}` : ''}.\n`);
          }),
        );
    },
  });
}
