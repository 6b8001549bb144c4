/**
 * Writes demo contacts in bulk for benchmarks (up to millions): multi-row INSERTs of about
 * 2,000 contacts per transaction straight into the CRM's tables, instead of one service call per
 * contact. Every stored value is derived exactly as the contacts service derives it: the input
 * goes through the same prepareContactInput (normalized channels, primary flags, dedupe), the
 * same displayName / foldText / searchTerms, the same custom-value columns, and a "create"
 * history entry.
 *
 * Two steps, so a caller can overlap them: `prepare` does the CPU work (normalizing, folding,
 * search terms) without ids; `commit` picks the ids and runs the INSERTs in one transaction.
 */
import type { Sequelize } from 'sequelize';
import type { CurrentUser } from '../../../host/api.js';
import { prepareContactInput } from '../services/contact-input.js';
import { addContact, BulkInserter, emptyTables, preparedContactRows, type PreparedContact } from '../services/bulk-rows.js';
import type { CountryCode } from '../services/normalize/channels.js';
import type { DemoFields } from './demo-fields.js';
import type { DemoContact, DemoUnit } from './generator.js';

/** Contacts prepared between two yields to the event loop, so a commit in flight keeps moving. */
const YIELD_EVERY = 100;

export interface PreparedUnit {
  company: PreparedContact | null;
  buyerBack: number | null;
  people: PreparedContact[];
}

export interface BatchResult {
  contacts: number;
  /** Rows written in every table together. */
  rows: number;
  companyIds: number[];
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

export class BulkContactWriter {
  private readonly inserter: BulkInserter;
  /** Ids of the companies written so far, newest last: the payers that `buyerBack` points to. */
  private readonly companies: number[] = [];

  constructor(
    private readonly db: Sequelize,
    private readonly options: { user: CurrentUser; fields: DemoFields; defaultCountry: CountryCode },
  ) {
    this.inserter = new BulkInserter(db);
  }

  /** The rows of one contact, derived as the contacts service derives them. */
  private prepareContact(demo: DemoContact): PreparedContact {
    const { input, createdAt } = demo;
    const { prepared, errors } = prepareContactInput(input, input.kind, { creating: true, defaultCountry: this.options.defaultCountry });
    if (errors.length) throw new Error(`demo contact is invalid: ${JSON.stringify(errors)} in ${JSON.stringify(input)}`);
    return preparedContactRows(input.kind, prepared, {
      field: (key) => this.options.fields[key as keyof DemoFields],
      createdBy: this.options.user.id,
      createdAt,
      historyAction: 'create',
    });
  }

  /** The CPU part: every row of the units, without ids. Yields now and then to let a commit run. */
  async prepare(units: DemoUnit[]): Promise<PreparedUnit[]> {
    const out: PreparedUnit[] = [];
    let done = 0;
    for (const unit of units) {
      out.push({ company: unit.company && this.prepareContact(unit.company), buyerBack: unit.buyerBack, people: unit.people.map((p) => this.prepareContact(p)) });
      done += unit.people.length + 1;
      if (done >= YIELD_EVERY) {
        done = 0;
        await pause();
      }
    }
    return out;
  }

  /** Picks the ids and writes prepared units in one transaction (a company never loses its employees to the next one). */
  async commit(units: PreparedUnit[]): Promise<BatchResult> {
    return this.db.transaction(async (transaction) => {
      // Ids are chosen here so employees can point at their company within the same statement.
      let next = await this.inserter.nextContactId(transaction);
      const tables = emptyTables();
      const companyIds: number[] = [];
      const ring = [...this.companies];
      for (const unit of units) {
        let companyId: number | null = null;
        if (unit.company) {
          companyId = next++;
          const back = unit.buyerBack ?? 0;
          addContact(tables, unit.company, companyId, null, back > 0 && ring.length >= back ? ring[ring.length - back]! : null);
          companyIds.push(companyId);
          ring.push(companyId);
        }
        for (const person of unit.people) addContact(tables, person, next++, companyId, null);
      }
      const rows = await this.inserter.writeContacts(tables, transaction);
      // Remembered only once written: a failed batch leaves no payer behind that does not exist.
      this.companies.splice(0, this.companies.length, ...ring.slice(-64));
      return { contacts: tables.contacts.length, rows, companyIds };
    });
  }

  async write(units: DemoUnit[]): Promise<BatchResult> {
    return this.commit(await this.prepare(units));
  }
}
