/**
 * Every segment's condition, ready for the client list. The CRM asks a filter condition for its
 * SQL synchronously, so a dynamic segment's saved filter is compiled ahead of time — by the CRM's
 * own query service (`fromParams`, then `filterSql`: the same conversion and SQL as the list) —
 * and kept here in memory. The list query then runs a dynamic segment's conditions inline, as if
 * they had been typed into the list, inside the outer query's access scope.
 *
 * Kept fresh by: a reload after every change made on this instance (awaited by the writer), a
 * cheap poll of a signature (count, max id, sum of versions) for changes made by other
 * instances, and a full recompile once a minute for what a filter depends on outside this plugin
 * (custom fields renamed, plugins disabled). A reload recompiles only the filters that changed
 * and those built on them, so a write costs the same with ten segments or a thousand.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { type HttpError, TOKENS, inject, injectable, type ExtensionRegistry } from '../../../host/api.js';
import { CrmTokens, segmentSources, type ContactQueryService } from '../../crm/api.js';
import { IN_SEGMENT, type FilterParams, type SegmentType } from '../api.js';
import { referencedSegments } from './filter-params.js';
import { invalid, parseJson, truthy } from './rows.js';

export interface Sql {
  sql: string;
  params: unknown[];
}

export interface IndexEntry {
  id: number;
  name: string;
  type: SegmentType;
  ownerId: number;
  shared: boolean;
  /** Bumped on every change of the segment. */
  version: number;
  filter: FilterParams | null;
  source: { id: string; params: Record<string, unknown> } | null;
  /** Segments this one's filter refers to. */
  refs: number[];
  /** Dynamic: the saved filter as SQL over `crm_contacts c`, without the scope. */
  compiled?: Sql;
  /** Why the segment cannot be used as a filter now. */
  error?: HttpError;
}

/** The index's container token (internal to this plugin). */
export const SegmentIndexToken = Symbol.for('segments.Index');

const POLL_MS = 5_000;
const MAX_AGE_MS = 60_000;

export const PLAIN_PARAM = 'segment_id';

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

@injectable()
export class SegmentIndex {
  private entries = new Map<number, IndexEntry>();
  private signature = '';
  /** When every filter was last compiled afresh. */
  private compiledAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  /** The entries being built by a reload, seen only by the compile running inside it. */
  private readonly building = new AsyncLocalStorage<Map<number, IndexEntry>>();

  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Extensions) private readonly extensions: ExtensionRegistry,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(CrmTokens.ContactQuery) private readonly query: ContactQueryService,
  ) {}

  async start(): Promise<void> {
    await this.refresh({ full: true });
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.logger.warn({ err }, 'segments: reloading the segment index failed'));
    }, POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Reloads when the segments changed, or always when forced (after a write); `full` recompiles
   * every filter, not only the changed ones. One reload at a time.
   */
  refresh(options: { force?: boolean; full?: boolean } = {}): Promise<void> {
    const run = this.chain.then(() => this.load(Boolean(options.force || options.full), Boolean(options.full)));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Makes sure a segment created a moment ago (maybe by another instance) is known. */
  async ensure(id: number): Promise<void> {
    if (!this.entries.has(id)) await this.refresh({ force: true });
  }

  entry(id: number): IndexEntry | null {
    return (this.building.getStore() ?? this.entries).get(id) ?? null;
  }

  /** A filter as SQL, with the CRM's checks (400 with details for a bad one). */
  async compile(filter: FilterParams): Promise<Sql> {
    return this.query.filterSql(this.query.fromParams(filter));
  }

  /** Whether following references from `from` reaches `target` (a reference cycle if it were added). */
  reaches(from: number[], target: number): boolean {
    const seen = new Set<number>();
    const stack = [...from];
    while (stack.length) {
      const id = stack.pop()!;
      if (id === target) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(this.entries.get(id)?.refs ?? []));
    }
    return false;
  }

  /** Segments whose filters refer to this one. */
  referrers(id: number): number[] {
    return [...this.entries.values()].filter((e) => e.refs.includes(id)).map((e) => e.id);
  }

  /** The condition `segment_id = id` over the contacts table aliased `alias`. Synchronous: the CRM's list builds its SQL so. */
  sql(id: number, alias: string): Sql {
    if (!ALIAS.test(alias)) throw new Error(`Bad table alias "${alias}"`);
    const inBuild = Boolean(this.building.getStore());
    const entry = this.entry(id);
    if (!entry) {
      // Maybe another instance created it a moment ago: look again, for the next request.
      if (!inBuild) this.refresh().catch((err: unknown) => this.logger.warn({ err }, 'segments: reloading the segment index failed'));
      throw invalid(PLAIN_PARAM, 'segments:errors.unknown_segment', { id });
    }
    if (entry.error) throw entry.error;
    if (entry.type === 'static') return { sql: `${alias}.id IN (SELECT sm.contact_id FROM segments_members sm WHERE sm.segment_id = ?)`, params: [id] };
    if (entry.type === 'source') {
      const source = this.extensions.list(segmentSources).find((s) => `${s.pluginId}.${s.id}` === entry.source?.id);
      if (!source) throw invalid(PLAIN_PARAM, 'segments:errors.source_unavailable', { name: entry.name });
      const part = source.sql(entry.source!.params, alias);
      return { sql: `(${part.sql})`, params: part.params };
    }
    const compiled = entry.compiled!;
    // The CRM's list names its contacts `c`, like the compiled filter: inline, so the filter's own
    // indexes serve the query. Any other alias gets the filter as a subquery.
    if (alias === 'c') return { sql: `(${compiled.sql})`, params: compiled.params };
    return { sql: `${alias}.id IN (SELECT c.id FROM crm_contacts c WHERE ${compiled.sql})`, params: compiled.params };
  }

  private async currentSignature(): Promise<string> {
    const [row] = await this.db.query<{ n: number | string; m: number | string | null; v: number | string | null }>(
      'SELECT COUNT(*) AS n, MAX(id) AS m, SUM(version) AS v FROM segments_segments',
      { type: QueryTypes.SELECT },
    );
    return `${Number(row?.n ?? 0)}:${Number(row?.m ?? 0)}:${Number(row?.v ?? 0)}`;
  }

  private async load(force: boolean, full: boolean): Promise<void> {
    const signature = await this.currentSignature();
    const stale = Date.now() - this.compiledAt >= MAX_AGE_MS;
    if (!force && !stale && signature === this.signature) return;
    full ||= stale;
    const rows = await this.db.query<{ id: number | string; name: string; type: SegmentType; filter: string | null; source_id: string | null; owner_id: number | string; shared: unknown; version: number | string }>(
      'SELECT id, name, type, filter, source_id, owner_id, shared, version FROM segments_segments ORDER BY id',
      { type: QueryTypes.SELECT },
    );
    const next = new Map<number, IndexEntry>();
    const dynamic: IndexEntry[] = [];
    for (const row of rows) {
      const stored = parseJson(row.filter);
      const entry: IndexEntry = {
        id: Number(row.id),
        name: row.name,
        type: row.type,
        ownerId: Number(row.owner_id),
        shared: truthy(row.shared),
        version: Number(row.version),
        filter: row.type === 'dynamic' ? ((stored ?? {}) as FilterParams) : null,
        source: row.type === 'source' ? { id: row.source_id ?? '', params: stored ?? {} } : null,
        refs: [],
      };
      if (entry.type === 'dynamic') {
        entry.refs = referencedSegments(entry.filter!, `condition.${IN_SEGMENT}`, PLAIN_PARAM);
        dynamic.push(entry);
      } else {
        next.set(entry.id, entry);
      }
    }
    // Filters that refer to other dynamic segments compile after them; what is left is a cycle.
    const dynamicIds = new Set(dynamic.map((e) => e.id));
    /** Segments whose SQL differs from the last load: their dependents recompile too. */
    const changed = new Set<number>();
    const same = (id: number) => !changed.has(id) && this.entries.get(id)?.version === next.get(id)?.version;
    let pending = dynamic;
    while (pending.length) {
      const ready = pending.filter((e) => e.refs.every((r) => !dynamicIds.has(r) || next.has(r)));
      if (!ready.length) break;
      for (const entry of ready) {
        const previous = this.entries.get(entry.id);
        if (!full && previous?.compiled && previous.version === entry.version && entry.refs.every(same)) {
          entry.compiled = previous.compiled;
        } else {
          changed.add(entry.id);
          try {
            entry.compiled = await this.building.run(next, () => this.compile(entry.filter!));
          } catch (err) {
            this.logger.warn({ err, segment: entry.id }, 'segments: a saved filter does not compile');
            entry.error = invalid(PLAIN_PARAM, 'segments:errors.broken_filter', { name: entry.name });
          }
        }
        next.set(entry.id, entry);
      }
      pending = pending.filter((e) => !ready.includes(e));
    }
    for (const entry of pending) next.set(entry.id, { ...entry, error: invalid(PLAIN_PARAM, 'segments:errors.cycle', { name: entry.name }) });
    this.entries = next;
    this.signature = signature;
    if (full) this.compiledAt = Date.now();
  }
}
