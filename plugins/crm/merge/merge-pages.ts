/**
 * The pages: the duplicate finder (run or refresh, groups with their reasons, "not duplicates"),
 * the merge screen (the master, a choice for each value that differs, the channels that will be
 * kept) reached from a group or from the client list's "Merge" action, and its confirmation,
 * which lands on the master's card.
 */
import type { Request, Response } from 'express';
import { HttpError, TOKENS, type PluginContext, type ViewRenderer } from '../../../host/api.js';
import type { Contact } from '../api.js';
import { specFor } from '../routes/card-fields.js';
import { CardLookups, addressText, displayText } from '../routes/card-format.js';
import { cardServices, errorMap, flash, str } from '../routes/card-support.js';
import { SelectionService } from '../services/selection-service.js';
import { REASONS } from './duplicate-finder.js';
import { DuplicateRuns } from './duplicate-runs.js';
import { liveGroup, membersOf } from './merge-api.js';
import { channelInput, defaultWinners, differingFields, fieldValue, unionAddresses, unionChannels } from './merge-plan.js';
import { MAX_MERGE, MergeService } from './merge-service.js';

const PER_PAGE = 20;
const IDS = /^\d{1,15}(,\d{1,15}){1,20}$/;

/** `1,2,3` from the query or a form: at least two ids, or null. */
function idsOf(raw: unknown): number[] | null {
  const s = str(raw).replace(/\s+/g, '');
  if (!IDS.test(s)) return null;
  const ids = [...new Set(s.split(',').map(Number))];
  return ids.length >= 2 ? ids : null;
}

const mergeUrl = (ids: number[], master?: number) => `/crm/merge?ids=${ids.join(',')}${master ? `&master=${master}` : ''}`;

function errorText(req: Request, err: HttpError): string {
  const fields = Object.values(errorMap(req, err.details));
  return fields.length ? fields.join(' ') : req.t(err.messageKey, err.params ?? {});
}

export function registerMergePages(ctx: PluginContext): void {
  const views = () => ctx.get<ViewRenderer>(TOKENS.Views);
  const runs = () => new DuplicateRuns(ctx);

  ctx.route({
    method: 'get',
    path: '/duplicates',
    right: 'crm.contacts.merge',
    summary: 'Likely duplicates from the latest finder run',
    query: { type: 'object', properties: { page: { type: 'integer', minimum: 1, default: 1 } } },
    handler: async (req, res) => {
      const user = req.user!;
      const page = (req.query as unknown as { page: number }).page;
      const run = await runs().latest(user);
      const stored = run?.state === 'done' ? await runs().groups(run.id, page, PER_PAGE) : { items: [], total: 0 };
      const members = await membersOf(ctx, user, stored.items);
      const groups = stored.items.flatMap((g) => {
        const live = liveGroup(g, members);
        if (!live) return [];
        return [{
          signature: g.signature,
          reasons: g.reasons.map((r) => ({ label: req.t(`crm:duplicates.reason.${r.reason}`), value: r.reason === 'name' ? '' : r.value })),
          mergeHref: mergeUrl(live.contacts.map((c) => c.id)),
          contacts: live.contacts.map((c) => ({ id: c.id, name: c.name, kind: req.t(`crm:duplicates.kind.${c.kind}`), email: c.emails[0]?.value ?? '', phone: c.phones[0]?.value ?? '', created: c.created_at })),
        }];
      });
      const pages = Math.max(1, Math.ceil(stored.total / PER_PAGE));
      res.type('html').send(
        await views().renderPage(req, 'crm/duplicates/index', {
          title: req.t('crm:duplicates.title'),
          run: run ? { ...run, running: run.state === 'running', failed: run.state === 'failed' || run.state === 'cancelled', jobHref: run.job_id ? `/jobs/${run.job_id}?back=/crm/duplicates` : null } : null,
          groups,
          total: stored.total,
          reasons: REASONS.map((r) => req.t(`crm:duplicates.reason.${r}`)).join(', '),
          prev: page > 1 ? `/crm/duplicates?page=${page - 1}` : null,
          next: page < pages ? `/crm/duplicates?page=${page + 1}` : null,
          pageText: req.t('crm:duplicates.page', { page, pages }),
        }),
      );
    },
  });

  ctx.route({
    method: 'post',
    path: '/duplicates/run',
    right: 'crm.contacts.merge',
    summary: 'Find duplicates now (small base) or as a job (big base)',
    handler: async (req, res) => {
      const run = await runs().start(req.user!);
      if (run.job_id) return void res.redirect(303, `/jobs/${encodeURIComponent(run.job_id)}?back=${encodeURIComponent('/crm/duplicates')}`);
      flash(req, 'success', req.t('crm:duplicates.found', { count: run.group_count }));
      res.redirect(303, '/crm/duplicates');
    },
  });

  ctx.route({
    method: 'post',
    path: '/duplicates/dismiss',
    right: 'crm.contacts.merge',
    summary: 'Mark a group as not duplicates',
    body: { type: 'object', required: ['signature'], properties: { signature: { type: 'string', pattern: '^[0-9a-f]{40}$' } } },
    handler: async (req, res) => {
      await runs().dismiss(req.user!, (req.body as { signature: string }).signature);
      flash(req, 'info', req.t('crm:duplicates.dismissed'));
      res.redirect(303, '/crm/duplicates');
    },
  });

  ctx.route({
    method: 'post',
    path: '/merge/selection',
    right: 'crm.contacts.merge',
    summary: "The list's Merge action: the merge screen for the selected contacts",
    handler: async (req, res) => {
      const ids = await new SelectionService(ctx).ids(req.user!);
      const back = str((req.body as Record<string, unknown>).back);
      const backUrl = back.startsWith('/crm/contacts') ? back : '/crm/contacts';
      if (ids.length < 2 || ids.length > MAX_MERGE + 1) {
        flash(req, 'warning', req.t('crm:duplicates.select_between', { max: MAX_MERGE + 1 }));
        return void res.redirect(303, backUrl);
      }
      res.redirect(303, mergeUrl(ids));
    },
  });

  ctx.route({
    method: 'get',
    path: '/merge',
    right: 'crm.contacts.merge',
    summary: 'The merge screen: choose the master and the values to keep',
    handler: async (req, res) => {
      const ids = idsOf(req.query.ids);
      if (!ids) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      const masterParam = Number(str(req.query.master));
      const masterId = ids.includes(masterParam) ? masterParam : ids[0]!;
      const service = new MergeService(ctx);
      let contacts: Contact[];
      try {
        contacts = await service.load(req.user!, masterId, ids.filter((id) => id !== masterId));
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 400) throw err;
        flash(req, 'danger', errorText(req, err));
        return void res.redirect(303, '/crm/duplicates');
      }
      res.type('html').send(await renderMerge(ctx, req, contacts));
    },
  });

  ctx.route({
    method: 'post',
    path: '/merge',
    right: 'crm.contacts.merge',
    summary: 'Merge: the chosen master keeps the chosen values and every channel',
    body: {
      type: 'object',
      required: ['master_id', 'ids'],
      properties: {
        master_id: { type: 'string', pattern: '^\\d{1,15}$' },
        ids: { type: 'string', maxLength: 400 },
        version: { type: 'string', pattern: '^\\d{1,15}$' },
        fields: { type: 'object', additionalProperties: { type: 'string', pattern: '^\\d{1,15}$' } },
      },
    },
    handler: async (req: Request, res: Response) => {
      const body = req.body as { master_id: string; ids: string; version?: string; fields?: Record<string, string> };
      const ids = idsOf(body.ids);
      const masterId = Number(body.master_id);
      if (!ids || !ids.includes(masterId)) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      const fields = Object.fromEntries(Object.entries(body.fields ?? {}).map(([k, v]) => [k, Number(v)]));
      try {
        const result = await new MergeService(ctx).merge(req.user!, { masterId, mergeIds: ids.filter((id) => id !== masterId), fields, version: body.version ? Number(body.version) : undefined });
        flash(req, 'success', req.t('crm:duplicates.merged', { count: result.merged.length, name: result.master.name }));
        res.redirect(303, `/crm/contacts/${masterId}`);
      } catch (err) {
        if (!(err instanceof HttpError) || (err.status !== 400 && err.status !== 409)) throw err;
        flash(req, 'danger', errorText(req, err));
        res.redirect(303, mergeUrl(ids, masterId));
      }
    },
  });
}

/** The merge screen's model: a column per contact (master first), a row per differing value. */
async function renderMerge(ctx: PluginContext, req: Request, contacts: Contact[]): Promise<string> {
  const s = cardServices(ctx);
  const lookups = await CardLookups.load(s, req);
  const [master, ...others] = contacts as [Contact, ...Contact[]];
  const winners = defaultWinners(master, others);
  const ids = contacts.map((c) => c.id);
  const rows = [];
  for (const field of differingFields(contacts)) {
    const spec = field === 'photo' ? null : specFor(field, lookups.customFields);
    const label = field === 'photo' ? req.t('crm:duplicates.photo') : spec ? lookups.label(spec) : req.t(`crm:card.field.${field}`, { defaultValue: field });
    const cells = [];
    for (const c of contacts) {
      const value = fieldValue(c, field);
      const text = field === 'photo' ? (value ? req.t('crm:duplicates.has_photo') : '') : await displayText(spec, value, lookups);
      cells.push({ contactId: c.id, text, checked: winners[field] === c.id, inputId: `merge-${field.replace(/[^a-z0-9_]/gi, '-')}-${c.id}` });
    }
    rows.push({ field, label, cells });
  }
  const channelRows = await new MergeService(ctx).channelRows(ids);
  const kept = channelInput(unionChannels(master.id, channelRows));
  const channels = [
    ...(kept.emails as Array<{ value: string }>).map((e) => ({ icon: 'envelope', text: e.value })),
    ...(kept.phones as Array<{ value: string }>).map((p) => ({ icon: 'telephone', text: p.value })),
    ...(kept.messengers as Array<{ type: string; value: string }>).map((m) => ({ icon: 'chat-dots', text: `${m.type}: ${m.value}` })),
    ...(kept.websites as Array<{ value: string }>).map((w) => ({ icon: 'globe', text: w.value })),
    ...(kept.domains as string[]).map((d) => ({ icon: 'at', text: d })),
    ...(kept.tax_ids as Array<{ type: string; value: string }>).map((t) => ({ icon: 'building', text: `${t.type.toUpperCase()} ${t.value}` })),
    ...unionAddresses(master, others).map((a) => ({ icon: 'geo-alt', text: addressText(a) })),
  ];
  return ctx.get<ViewRenderer>(TOKENS.Views).renderPage(req, 'crm/merge/index', {
    title: req.t('crm:duplicates.merge_title'),
    ids: ids.join(','),
    master: { id: master.id, version: master.version },
    columns: contacts.map((c) => ({ id: c.id, name: c.name, isMaster: c.id === master.id, href: `/crm/contacts/${c.id}`, useHref: mergeUrl(ids, c.id) })),
    rows,
    channels,
    otherNames: others.map((c) => c.name).join(', '),
    scripts: ['/assets/p/crm/merge.js'],
  });
}
