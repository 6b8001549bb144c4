/**
 * `GET /kanban`: the board page. Filters as on the client list (search, responsible, kind), a
 * column per status with its total, up to 100 cards, "show all" into the list and "+" into the
 * CRM's create form with the status preset. Cards move by drag and drop (assets/kanban.js).
 */
import type { Request } from 'express';
import { TOKENS, type PluginContext, type UsersService, type ViewRenderer } from '../../../host/api.js';
import { KanbanTokens, type BoardCard, type BoardColumn, type BoardService } from '../api.js';
import { parseFilters, withPairs, type Pair } from './filters.js';

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
const LIST = '/crm/contacts';

const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');

function cardView(card: BoardCard) {
  return { ...card, href: `${LIST}/${card.id}`, isCompany: card.kind === 'company', responsibleInitials: card.responsible ? initials(card.responsible.name) : '' };
}

function columnView(req: Request, column: BoardColumn, pairs: Pair[], canCreate: boolean) {
  const status = column.status_id === null ? '0' : String(column.status_id);
  return {
    key: column.status_id === null ? 'none' : String(column.status_id),
    statusId: column.status_id === null ? '' : String(column.status_id),
    name: column.name ?? req.t('kanban:no_status'),
    none: column.status_id === null,
    color: column.color && HEX.test(column.color) ? column.color : null,
    total: column.total,
    totalText: column.capped ? req.t('kanban:more_than', { n: column.total }) : String(column.total),
    countLabel: req.t('kanban:column_count', { count: column.total }),
    more: column.total > 0,
    showAllHref: withPairs(LIST, [['status_id', status], ...pairs]),
    showAllText: column.capped ? req.t('kanban:show_all_capped', { count: column.total }) : req.t('kanban:show_all', { count: column.total }),
    // The "No status" column has nothing to preset: the create form starts with the first status.
    addHref: canCreate && column.status_id !== null ? `${LIST}/new?${new URLSearchParams({ kind: 'person', status_id: status })}` : null,
    addLabel: req.t('kanban:add_to', { status: column.name ?? req.t('kanban:no_status') }),
    cards: column.cards.map(cardView),
  };
}

export function registerBoardPage(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/',
    right: 'crm.access',
    summary: 'The board: a column per status with its clients',
    handler: async (req, res) => {
      const user = req.user!;
      const { filters, pairs } = parseFilters(req.query as Record<string, unknown>, user.id);
      const [columns, users] = await Promise.all([
        ctx.get<BoardService>(KanbanTokens.Board).board(user, filters, req.language),
        ctx.get<UsersService>(TOKENS.Users).list(),
      ]);
      const selected = filters.responsible_id?.length === 1 ? String(filters.responsible_id[0]) : '';
      const others = users.filter((u) => u.isActive && u.id !== user.id).sort((a, b) => a.name.localeCompare(b.name, req.language));
      const responsibleOptions = [
        { value: '', label: req.t('kanban:filters.anyone') },
        { value: String(user.id), label: req.t('kanban:filters.me') },
        { value: '0', label: req.t('kanban:filters.unassigned') },
        ...others.map((u) => ({ value: String(u.id), label: u.name })),
      ].map((o) => ({ ...o, selected: o.value === selected }));
      const kindOptions = [
        { value: '', label: req.t('kanban:filters.all_kinds') },
        { value: 'person', label: req.t('kanban:filters.people') },
        { value: 'company', label: req.t('kanban:filters.companies') },
      ].map((o) => ({ ...o, selected: o.value === (filters.kind ?? '') }));
      const canCreate = user.can('crm.contacts.create');
      res.type('html').send(
        await ctx.get<ViewRenderer>(TOKENS.Views).renderPage(req, 'kanban/board', {
          title: req.t('kanban:title'),
          q: filters.q ?? '',
          responsibleOptions,
          kindOptions,
          filtered: pairs.length > 0,
          mine: selected === String(user.id),
          myHref: withPairs('/kanban', [...pairs.filter(([k]) => k !== 'responsible_id'), ['responsible_id', String(user.id)]]),
          listHref: withPairs(LIST, pairs),
          columns: columns.map((c) => columnView(req, c, pairs, canCreate)),
          canMove: user.can('crm.contacts.edit'),
          canCreate,
          styles: ['/assets/p/kanban/kanban.css'],
          scripts: ['/assets/vendor/sortablejs/Sortable.min.js', '/assets/p/kanban/kanban.js'],
        }),
      );
    },
  });
}
