/**
 * `crm seed --contacts N`: generates N demo contacts and writes them with the bulk writer,
 * reporting progress after every batch. Also what benchmarks call to fill a base.
 */
import type { HostServices } from '../../../host/api.js';
import { BulkContactWriter } from './bulk-writer.js';
import { actingAdmin, defaultPhoneCountry, demoRefs } from './demo-context.js';
import { DemoGenerator, type DemoUnit } from './generator.js';

export interface BulkSeedProgress {
  contacts: number;
  total: number;
  rows: number;
  elapsedMs: number;
}

export interface BulkSeedOptions {
  contacts: number;
  /** The generator's seed: the same seed gives the same contacts. */
  seed?: number;
  /** Contacts per transaction (whole companies are never split, so a batch may run a little over). */
  batchSize?: number;
  /** "Today" for created dates and next-contact dates; defaults to now. */
  now?: Date;
  onProgress?: (p: BulkSeedProgress) => void;
}

export interface BulkSeedResult extends BulkSeedProgress {
  companies: number;
}

export async function seedContactsInBulk(host: HostServices, options: BulkSeedOptions): Promise<BulkSeedResult> {
  const total = Math.max(0, Math.floor(options.contacts));
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 2000));
  const refs = await demoRefs(host);
  const writer = new BulkContactWriter(host.db, { user: await actingAdmin(host), fields: refs.fields, defaultCountry: await defaultPhoneCountry(host) });
  const generator = new DemoGenerator(options.seed ?? 1, refs, options.now);
  const started = Date.now();
  const done: BulkSeedResult = { contacts: 0, total, rows: 0, elapsedMs: 0, companies: 0 };

  // While one batch is written, the next is generated and prepared: the database and the CPU
  // work at the same time instead of taking turns.
  let inFlight: Promise<void> = Promise.resolve();
  let batch: DemoUnit[] = [];
  let size = 0;
  const flush = async () => {
    if (!batch.length) return;
    const prepared = await writer.prepare(batch);
    batch = [];
    size = 0;
    await inFlight;
    inFlight = writer.commit(prepared).then((written) => {
      done.contacts += written.contacts;
      done.rows += written.rows;
      done.companies += written.companyIds.length;
      done.elapsedMs = Date.now() - started;
      options.onProgress?.({ contacts: done.contacts, total, rows: done.rows, elapsedMs: done.elapsedMs });
    });
    inFlight.catch(() => undefined); // awaited at the next flush or at the end; not an unhandled rejection meanwhile
  };
  let sinceYield = 0;
  for (const unit of generator.units(total)) {
    batch.push(unit);
    const n = (unit.company ? 1 : 0) + unit.people.length;
    size += n;
    sinceYield += n;
    if (size >= batchSize) {
      sinceYield = 0;
      await flush();
    } else if (sinceYield >= 100) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve)); // lets the commit in flight send its next statement
    }
  }
  await flush();
  await inFlight;
  done.elapsedMs = Date.now() - started;
  return done;
}
