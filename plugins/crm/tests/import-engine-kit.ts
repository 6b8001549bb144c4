/** Test kit of the import engine: a CRM host with jobs, files written on the fly, imports run to their end. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TOKENS, type CurrentUser, type JobRunner, type SettingsStore } from '../../../host/api.js';
import { ImportTokens, type ImportOptions, type ImportRecord, type MappingTarget } from '../import/import-contract.js';
import type { ImportServiceImpl } from '../import/engine/import-service.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

/** A copy of ../shared/testdata's file (attribution in fixtures/README.md): CI checks out the project alone. */
export const DIRTY_CSV = path.join(import.meta.dirname, 'fixtures', 'import', 'datablist-customers-1000.DIRTY-39dups-2ragged.csv');

export interface ImportKit {
  host: CrmTestHost;
  service: ImportServiceImpl;
  jobs: JobRunner;
  /** Writes a CSV from rows (the first is the header) and returns its path. */
  csv(rows: string[][], name?: string): string;
  /** Stages a copy of the file, starts the import with these options and waits for its job. */
  run(file: string, mapping: MappingTarget[] | null, options?: Partial<ImportOptions>, user?: CurrentUser): Promise<ImportRecord>;
  /** Waits for the import's current job (the import or its undo) to end. */
  settle(record: ImportRecord, user?: CurrentUser): Promise<ImportRecord>;
  count(): Promise<number>;
  setting(key: string, value: unknown): Promise<void>;
  dispose(): Promise<void>;
}

export const defaults: ImportOptions = { dedupe_keys: ['email'], on_duplicate: 'skip', dry_run: false, keep_valid: true, kind: 'person', apply: {}, read: {} };

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function importKit(options: { databaseUrl?: string } = {}): Promise<ImportKit> {
  const host = await createCrmTestHost({ jobs: true, ...options });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-test-'));
  const service = host.services.get<ImportServiceImpl>(ImportTokens.Service);
  const jobs = host.services.get<JobRunner>(TOKENS.Jobs);
  let n = 0;
  const kit: ImportKit = {
    host,
    service,
    jobs,
    csv(rows, name = `file-${++n}.csv`) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n');
      return file;
    },
    async run(file, mapping, opts = {}, user = host.admin) {
      const copy = path.join(dir, `upload-${++n}`);
      fs.copyFileSync(file, copy);
      const { uploadId, sniff } = await service.stage(user, { path: copy, originalName: path.basename(file) });
      const started = await service.start(user, uploadId, mapping ?? (await service.suggestMapping(user, sniff.headers)), { ...defaults, ...opts, read: sniff.options });
      return kit.settle(started, user);
    },
    async settle(record, user = host.admin) {
      if (record.job_id) await jobs.waitFor(record.job_id, 60_000);
      return service.get(user, record.id);
    },
    async count() {
      return (await host.query.count(host.admin, {})).total;
    },
    async setting(key, value) {
      const store = host.services.get<SettingsStore>(TOKENS.Settings);
      const saved = (await store.get<Record<string, unknown>>('plugin:crm', 'settings')) ?? {};
      await store.set('plugin:crm', 'settings', { ...saved, [key]: value });
    },
    async dispose() {
      await host.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return kit;
}
