/**
 * The tags on the Contacts page: a Tags column, the tag cloud panel (counts of contacts the user
 * may see; a click filters the list by the tag) and the mass actions "add tags" / "remove tags".
 */
import type { Request } from 'express';
import { HttpError, type CurrentUser, type PluginContext } from '../../../host/api.js';
import type { Contact, ListAction, ListColumn, ListPanel } from '../../crm/api.js';
import type { TagWithCount } from '../api.js';
import { compareNames, foldName } from '../services/names.js';
import { chip, services } from './support.js';

/**
 * 1 (rare) to 5 (most used), on a log scale so one huge tag does not flatten the rest; counts that
 * differ little (2 and 3) stay near the middle size instead of jumping from smallest to largest.
 */
export function cloudLevels(tags: TagWithCount[]): Map<number, number> {
  const logs = tags.map((t) => Math.log(t.count));
  const [min, max] = [Math.min(...logs), Math.max(...logs)];
  const spread = Math.min(1, (max - min) / Math.log(10)); // full range once the largest is 10x the smallest
  return new Map(tags.map((t) => [t.id, max > min ? 3 + Math.round(2 * spread * ((2 * (Math.log(t.count) - min)) / (max - min) - 1)) : 3]));
}

/** The tag names of `?tag=` on the list page, to highlight. */
function activeTags(req: Request): Set<string> {
  const raw = ([] as unknown[]).concat(req.query.tag ?? []);
  return new Set(raw.flatMap((v) => (typeof v === 'string' ? v.split(',') : [])).map(foldName).filter(Boolean));
}

export async function renderCloud(ctx: PluginContext, req: Request): Promise<string> {
  const tags = await services(ctx).tags.cloud(req.user!, 60);
  const levels = cloudLevels(tags);
  const active = activeTags(req);
  return services(ctx).views.renderPartial(req, 'tags/cloud', {
    items: [...tags]
      .sort((a, b) => compareNames(a.name, b.name))
      .map((t) => ({ ...chip(t), count: t.count, level: levels.get(t.id), active: active.has(foldName(t.name)) })),
    filtered: active.size > 0,
    canManage: req.user!.can('tags.manage'),
  });
}

export const cloudPanel = (ctx: PluginContext): ListPanel => ({
  id: 'cloud',
  order: 20,
  right: 'crm.access',
  // Loaded after the list (hx-trigger="load"): counting over a large base must not slow the page.
  render: (req) => services(ctx).views.renderPartial(req, 'tags/cloud-panel', { src: `/tags/cloud?${new URLSearchParams([...activeTags(req)].map((t) => ['tag', t]))}` }),
});

/** The Tags column: names as text; `html` gives chips for a list that embeds rendered fragments. */
export const tagsColumn = (ctx: PluginContext): ListColumn & { html(contacts: Contact[], req: Request): Promise<Map<number, string>> } => ({
  id: 'tags',
  title: 'tags:column.title',
  order: 50,
  values: async (contacts) => new Map(contacts.map((c) => [c.id, c.tags.join(', ')])),
  html: async (contacts, req) => {
    const tags = await services(ctx).contactTags.forContacts(contacts.map((c) => c.id));
    const out = new Map<number, string>();
    for (const c of contacts) out.set(c.id, await services(ctx).views.renderPartial(req, 'tags/cell', { chips: (tags.get(c.id) ?? []).map(chip) }));
    return out;
  },
});

/** The names of a mass action's `{tags: [...]}` (a comma-separated string is accepted too). */
function paramNames(params: Record<string, unknown>): string[] {
  const raw = typeof params.tags === 'string' ? params.tags.split(',') : params.tags;
  const list = Array.isArray(raw) ? raw.filter((t): t is string => typeof t === 'string' && t.trim() !== '') : [];
  if (!list.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'tags', code: 'required', message: 'tags:errors.no_tags' }]);
  return list;
}

const actionParams = {
  type: 'object',
  required: ['tags'],
  properties: { tags: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 100 }, title: 'tags:actions.tags' } },
};

type TagAction = ListAction;

export function listActionsOf(ctx: PluginContext): TagAction[] {
  const run = (kind: 'add' | 'remove') => async (user: CurrentUser, ids: number[], params: Record<string, unknown>) => {
    const names = paramNames(params);
    const contactTags = services(ctx).contactTags;
    return kind === 'add' ? contactTags.addMany(user, ids, names) : contactTags.removeMany(user, ids, names);
  };
  return [
    { id: 'add-tags', title: 'tags:actions.add', icon: 'tag', order: 10, right: 'crm.contacts.edit', schema: actionParams, run: run('add') },
    { id: 'remove-tags', title: 'tags:actions.remove', icon: 'x-circle', order: 11, right: 'crm.contacts.edit', schema: actionParams, run: run('remove') },
  ];
}

export function registerListUi(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/cloud',
    right: 'crm.access',
    summary: 'The tag cloud of the Contacts page, with counts of visible contacts (htmx fragment)',
    handler: async (req, res) => {
      res.set('Cache-Control', 'no-store').type('html').send(await renderCloud(ctx, req));
    },
  });
}

