/**
 * Builds the client list page: parses the query, asks the query service for one page (one query
 * for the ids, one batch load), loads what the visible columns need for that page at once, and
 * shapes it all for the view, with the user's selection (ticks, the bar, the mass actions' forms)
 * and `selected=1`, the list narrowed to that selection.
 */
import { hiddenStandardFields } from '../services/standard-fields.js';
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
import { ListActionRunner } from '../services/list-action-runner.js';
import { SELECTED_CONDITION, SelectionService, selectedValue } from '../services/selection-service.js';
import { actionForms } from './list-action-forms.js';
import { filterPanel } from './list-filters.js';
import { companyNames, companyOf } from './list-lookups.js';
import { DEFAULT_LIMIT, DEFAULT_SORT, LIST_PATH, listHref, PAGE_SIZES, parseListParams, type ListParams } from './list-params.js';
import { finishedJob, SELECTED_HREF, selectedText } from './list-selection.js';

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
  // The selection's own condition is spelt `selected=1` and filled in for this user only.
  const conditions = extensions.list(filterConditions, user).filter((c) => `${c.pluginId}.${c.id}` !== SELECTED_CONDITION);
  const params = parseListParams(req.query as Record<string, unknown>, { fields, conditions, validator: ctx.get<ValidationService>(TOKENS.Validation) });
  const selectedView = ['1', 'true', 'yes', 'on'].includes(String(req.query.selected ?? '').toLowerCase());
  if (selectedView) {
    params.query.conditions = { ...params.query.conditions, [SELECTED_CONDITION]: selectedValue(ctx, user) };
    params.filters.unshift(['selected', '1']);
  }
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

  const catalog = columnCatalog(req, fields, extensions.list(listColumns, user), await hiddenStandardFields(ctx.get<SettingsStore>(TOKENS.Settings)));
  const chosen = await chosenColumns(ctx.get<SettingsStore>(TOKENS.Settings), user, catalog);
  const trash = Boolean(params.query.trash);
  const shownColumns: ColumnDef[] = trash ? [...chosen, { id: 'deleted_at', title: req.t('crm:list.col.deleted_at'), sort: null, source: 'standard', byDefault: false }] : chosen;
  const items = result.items;
  // Rows in the trash cannot be selected: no mass action applies there.
  const selectable = !trash;
  const selection = new SelectionService(ctx);
  const [companies, extValues, restored, sidePanels, picked, selectionCount, job] = await Promise.all([
    companyNames(ctx.get<Sequelize>(TOKENS.Database), ctx.get<ContactScope>(CrmTokens.Scope), user, items),
    contributedValues(req, shownColumns, items, ctx),
    params.restored ? ctx.get<ContactsService>(CrmTokens.Contacts).get(user, params.restored).catch(() => null) : Promise.resolve(null),
    panels(req, ctx, options.partial),
    selectable ? selection.which(user, items.map((c) => c.id)) : Promise.resolve(new Set<number>()),
    selectable ? selection.count(user) : Promise.resolve(0),
    finishedJob(ctx, req, req.query.job),
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
  if (selectedView) {
    panel.chips.unshift({ label: '', value: req.t('crm:list.selected_chip'), name: req.t('crm:list.selected_chip'), href: listHref(params, params.filters.filter(([k]) => k !== 'selected')) });
    panel.active += 1;
  }
  const chosenIds = new Set(chosen.map((c) => c.id));
  const filtered = params.filters.some(([k]) => k !== 'trash' && k !== 'selected');
  const number = new Intl.NumberFormat(req.language);
  const matching = result.total ?? items.length;
  // Everything that matches may be selected already: then say so instead of offering it.
  let allMatchingSelected = false;
  if (selectable && !selectedView && !errors.length && matching > items.length && selectionCount >= matching && !result.total_capped) {
    const both = await query.count(user, { ...params.query, conditions: { ...params.query.conditions, [SELECTED_CONDITION]: selectedValue(ctx, user) } });
    allMatchingSelected = both.total >= matching;
  }

  return {
    status: errors.length ? 400 : 200,
    data: {
      title: req.t(trash ? 'crm:list.trash_title' : selectedView ? 'crm:list.selected_title' : 'crm:list.title'),
      selectedView,
      trash,
      canCreate: user.can('crm.contacts.create'),
      canImport: user.can('crm.contacts.import'),
      canRestore: trash && user.can('crm.contacts.delete'),
      q: params.query.q ?? '',
      hidden: [
        ...(params.sort !== DEFAULT_SORT || params.order !== 'asc' ? [{ name: 'sort', value: params.sort }, { name: 'order', value: params.order }] : []),
        ...(params.limit !== DEFAULT_LIMIT ? [{ name: 'limit', value: String(params.limit) }] : []),
        ...(trash ? [{ name: 'trash', value: '1' }] : []),
        ...(selectedView ? [{ name: 'selected', value: '1' }] : []),
      ],
      panel,
      panels: sidePanels,
      nameHeader: header(params, { id: 'name', title: req.t('crm:list.col.name'), sort: 'name' }),
      headers: shownColumns.map((c) => header(params, c)),
      rows: items.map((c) => ({
        id: c.id,
        selected: picked.has(c.id),
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
      empty: items.length ? null : trash ? 'trash' : selectedView && !filtered && !errors.length ? 'selection' : filtered || selectedView || errors.length ? 'filtered' : 'none',
      selectable,
      selection: selectable
        ? {
            count: selectionCount,
            text: selectedText(req, selectionCount),
            pageSelected: items.length > 0 && items.every((c) => picked.has(c.id)),
            // "Select all that match" while the list is more than what is ticked on this page.
            matching:
              !selectedView && matching > items.length
                ? {
                    filter: new URLSearchParams(params.filters).toString(),
                    text: req.t(result.total_capped ? 'crm:list.select_matching_capped' : 'crm:list.select_matching', { count: matching, formatted: number.format(matching) }),
                    done: allMatchingSelected,
                    doneText: req.t('crm:list.all_matching_selected', { count: matching, formatted: number.format(matching) }),
                  }
                : null,
            href: SELECTED_HREF,
          }
        : null,
      actions: selectable ? actionForms(req, new ListActionRunner(ctx).available(user), { dictionary, users }) : [],
      job,
      restored: restored ? { name: restored.name, href: `/crm/contacts/${restored.id}` } : null,
      listHref: LIST_PATH,
      trashHref: `${LIST_PATH}?trash=1`,
      // The export page with this list's filters (the selected view carries `selected=1`).
      exportHref: !trash && user.can('crm.contacts.export') ? `${LIST_PATH}/export${params.filters.length ? `?${new URLSearchParams(params.filters).toString()}` : ''}` : null,
      currentUrl: req.originalUrl,
      styles: ['/assets/p/crm/list.css'],
      scripts: ['/assets/vendor/sortablejs/Sortable.min.js', '/assets/p/crm/list.js'],
    },
  };
}
