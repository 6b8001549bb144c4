/**
 * Builds the client list page: parses the query, asks the query service for one page (one query
 * for the ids, one batch load), loads what the visible columns need for that page at once, and
 * shapes it all for the view.
 */
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import {
  HttpError,
  TOKENS,
  type ExtensionRegistry,
  type FieldError,
  type PluginContext,
  type SettingsStore,
  type UsersService,
  type ValidationService,
  type ViewRenderer,
} from '../../../host/api.js';
import { CrmTokens, filterConditions, listColumns, listPanels, type Contact, type ContactQueryService, type ContactScope, type ContactsService, type ListResult } from '../api.js';
import type { DictionariesService } from '../services/dictionaries-service.js';
import type { FieldsService } from '../services/fields-service.js';
import { cellFor, type CellContext } from './list-cells.js';
import { chosenColumns, columnCatalog, type ColumnDef } from './list-columns.js';
import { filterPanel } from './list-filters.js';
import { companyNames, companyOf } from './list-lookups.js';
import { DEFAULT_LIMIT, DEFAULT_SORT, LIST_PATH, listHref, PAGE_SIZES, parseListParams, type ListParams } from './list-params.js';

/** A contributed column or panel that takes longer than this shows an error mark instead of holding the page. */
const COLUMN_TIMEOUT_MS = 3000;

export interface ListView {
  redirect?: string;
  status: number;
  data: Record<string, unknown>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]).finally(() => clearTimeout(timer));
}

/** Values of the visible contributed columns, each loaded once for the whole page; failures stay in their column. */
async function contributedValues(req: Request, columns: ColumnDef[], items: Contact[], ctx: PluginContext): Promise<Pick<CellContext, 'contributed' | 'failed'>> {
  const contributed = new Map<string, Map<number, string>>();
  const failed = new Set<string>();
  await Promise.all(
    columns
      .filter((c) => c.ext)
      .map(async (c) => {
        if (!items.length) return;
        try {
          contributed.set(c.id, await withTimeout(c.ext!.values(items, req), COLUMN_TIMEOUT_MS));
        } catch (err) {
          failed.add(c.id);
          ctx.get<Logger>(TOKENS.Logger).warn({ err, column: c.id }, 'list column failed');
        }
      }),
  );
  return { contributed, failed };
}

/** Panels other plugins show beside the list (a tag cloud...), each contained like a column. */
async function panels(req: Request, ctx: PluginContext, partial: boolean): Promise<Array<{ id: string; html?: unknown; failed?: boolean }>> {
  // The live search swaps only the results, so it does not need the panels.
  if (partial) return [];
  const views = ctx.get<ViewRenderer>(TOKENS.Views);
  return Promise.all(
    ctx
      .get<ExtensionRegistry>(TOKENS.Extensions)
      .list(listPanels, req.user)
      .map(async (p) => {
        const id = `${p.pluginId}.${p.id}`;
        try {
          return { id, html: views.rendered(await withTimeout(p.render(req), COLUMN_TIMEOUT_MS)) };
        } catch (err) {
          ctx.get<Logger>(TOKENS.Logger).warn({ err, panel: id }, 'list panel failed');
          return { id, failed: true };
        }
      }),
  );
}

function translate(req: Request, errors: FieldError[]) {
  return errors.map((e) => ({ field: e.field, message: req.t(e.message, e.params ?? {}) }));
}

function pager(req: Request, params: ListParams, result: ListResult, shown: number) {
  const number = new Intl.NumberFormat(req.language);
  const from = shown ? params.pos + 1 : 0;
  const to = params.pos + shown;
  const total = result.total ?? to;
  const onFirst = !params.cursor;
  const prevPos = params.pos - params.limit;
  return {
    range: req.t(result.total_capped ? 'crm:list.range_capped' : 'crm:list.range', { from: number.format(from), to: number.format(to), total: number.format(total) }),
    count: req.t(result.total_capped ? 'crm:list.count_capped' : 'crm:list.count', { count: total, formatted: number.format(total) }),
    firstHref: onFirst ? null : listHref(params, params.filters),
    prevHref: onFirst ? null : prevPos <= 0 ? listHref(params, params.filters) : listHref(params, params.filters, { before: params.cursor, pos: prevPos }),
    nextHref: result.next_cursor ? listHref(params, params.filters, { cursor: result.next_cursor, pos: params.pos + params.limit }) : null,
    sizes: PAGE_SIZES.map((size) => ({ size, href: listHref({ ...params, limit: size }, params.filters), active: size === params.limit })),
    limit: params.limit,
    /** More than one page: show the page links. */
    paged: !onFirst || Boolean(result.next_cursor),
  };
}

function header(params: ListParams, col: { id: string; title: string; sort: string | null; numeric?: boolean }) {
  const active = col.sort !== null && params.sort === col.sort;
  const order = active && params.order === 'asc' ? 'desc' : 'asc';
  return {
    id: col.id,
    title: col.title,
    numeric: Boolean(col.numeric),
    href: col.sort ? listHref({ ...params, sort: col.sort, order }, params.filters) : null,
    sorted: active ? params.order : null,
  };
}

export async function buildListView(ctx: PluginContext, req: Request, options: { partial: boolean }): Promise<ListView> {
  const user = req.user!;
  const query = ctx.get<ContactQueryService>(CrmTokens.ContactQuery);
  const extensions = ctx.get<ExtensionRegistry>(TOKENS.Extensions);
  const [fields, dictionary, users] = await Promise.all([
    ctx.get<FieldsService>(CrmTokens.Fields).all(),
    ctx.get<DictionariesService>(CrmTokens.Dictionaries).all(),
    ctx.get<UsersService>(TOKENS.Users).list(),
  ]);
  const conditions = extensions.list(filterConditions, user);
  const params = parseListParams(req.query as Record<string, unknown>, { fields, conditions, validator: ctx.get<ValidationService>(TOKENS.Validation) });
  const listQuery = { ...params.query, sort: params.sort, order: params.order, limit: params.limit };

  let errors = params.errors;
  let result: ListResult = { items: [], next_cursor: null, total: 0, total_capped: false };
  try {
    if (params.before && !errors.length) {
      // "Previous page" walks back from this page's cursor; the row it ends on is the previous page's cursor.
      const back = await query.list(user, { ...listQuery, order: params.order === 'asc' ? 'desc' : 'asc', cursor: params.before });
      const first = !back.next_cursor || params.pos <= 0;
      return { status: 303, redirect: first ? listHref(params, params.filters) : listHref(params, params.filters, { cursor: back.next_cursor, pos: params.pos }), data: {} };
    }
    if (!errors.length) {
      if (params.cursor) {
        // Pages after the first still say "of N": the count is capped, so it stays cheap.
        const [page, count] = await Promise.all([query.list(user, { ...listQuery, cursor: params.cursor }), query.count(user, params.query)]);
        result = { ...page, total: count.total, total_capped: count.capped };
      } else {
        result = await query.list(user, listQuery);
      }
    }
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 400) throw err;
    errors = Array.isArray(err.details) && err.details.length ? err.details : [{ field: '', code: err.code, message: err.messageKey }];
  }

  const catalog = columnCatalog(req, fields, extensions.list(listColumns, user));
  const chosen = await chosenColumns(ctx.get<SettingsStore>(TOKENS.Settings), user, catalog);
  const trash = Boolean(params.query.trash);
  const shownColumns: ColumnDef[] = trash ? [...chosen, { id: 'deleted_at', title: req.t('crm:list.col.deleted_at'), sort: null, source: 'standard', byDefault: false }] : chosen;
  const items = result.items;
  const [companies, extValues, restored, sidePanels] = await Promise.all([
    companyNames(ctx.get<Sequelize>(TOKENS.Database), ctx.get<ContactScope>(CrmTokens.Scope), user, items),
    contributedValues(req, shownColumns, items, ctx),
    params.restored ? ctx.get<ContactsService>(CrmTokens.Contacts).get(user, params.restored).catch(() => null) : Promise.resolve(null),
    panels(req, ctx, options.partial),
  ]);
  const cellContext: CellContext = {
    language: req.language,
    dictionary: new Map(dictionary.map((d) => [d.id, d])),
    users: new Map(users.map((u) => [u.id, u.name])),
    ...extValues,
    failedText: req.t('crm:list.column_failed'),
  };
  const panel = filterPanel(req, params, {
    statuses: dictionary.filter((d) => d.dictionary === 'status' && d.active),
    categories: dictionary.filter((d) => d.dictionary === 'category' && d.active),
    users,
    fields,
    conditions,
  });
  const chosenIds = new Set(chosen.map((c) => c.id));
  const filtered = params.filters.some(([k]) => k !== 'trash');

  return {
    status: errors.length ? 400 : 200,
    data: {
      title: req.t(trash ? 'crm:list.trash_title' : 'crm:list.title'),
      trash,
      canCreate: user.can('crm.contacts.create'),
      canRestore: trash && user.can('crm.contacts.delete'),
      q: params.query.q ?? '',
      hidden: [
        ...(params.sort !== DEFAULT_SORT || params.order !== 'asc' ? [{ name: 'sort', value: params.sort }, { name: 'order', value: params.order }] : []),
        ...(params.limit !== DEFAULT_LIMIT ? [{ name: 'limit', value: String(params.limit) }] : []),
        ...(trash ? [{ name: 'trash', value: '1' }] : []),
      ],
      panel,
      panels: sidePanels,
      nameHeader: header(params, { id: 'name', title: req.t('crm:list.col.name'), sort: 'name' }),
      headers: shownColumns.map((c) => header(params, c)),
      rows: items.map((c) => ({
        id: c.id,
        href: `/crm/contacts/${c.id}`,
        name: c.name || '—',
        person: c.kind === 'person',
        company: companyOf(c, companies),
        cells: shownColumns.map((col) => ({ ...cellFor(col, c, cellContext), numeric: Boolean(col.numeric) })),
      })),
      colspan: shownColumns.length + 1 + (trash ? 1 : 0),
      pager: pager(req, params, result, items.length),
      chooser: [...chosen.map((c) => ({ id: c.id, title: c.title, visible: true })), ...catalog.filter((c) => !chosenIds.has(c.id)).map((c) => ({ id: c.id, title: c.title, visible: false }))],
      errors: translate(req, errors),
      empty: items.length ? null : trash ? 'trash' : filtered || errors.length ? 'filtered' : 'none',
      restored: restored ? { name: restored.name, href: `/crm/contacts/${restored.id}` } : null,
      listHref: LIST_PATH,
      trashHref: `${LIST_PATH}?trash=1`,
      currentUrl: req.originalUrl,
      styles: ['/assets/p/crm/list.css'],
      scripts: ['/assets/vendor/sortablejs/Sortable.min.js', '/assets/p/crm/list.js'],
    },
  };
}
