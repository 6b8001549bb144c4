/**
 * `/responsible`: each manager with their client count (links into the client list), the pool
 * of unassigned clients, and the form that reassigns every client of a user (a job whose page
 * comes back here with `?job=<id>` to show the summary).
 */
import type { Request } from 'express';
import { TOKENS, flash, type CurrentUser, type JobRunner, type PluginContext, type ViewRenderer } from '../../../host/api.js';
import { REASSIGN_JOB, RIGHTS, ResponsibleTokens, type ManagersService, type ReassignService, type ReassignSummary } from '../api.js';
import { formIds, initials, listHref, messageOf, refusal } from './support.js';

const PAGE = '/responsible';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The summary of a finished reassignment the user started (or any, for administrators). */
async function jobSummary(ctx: PluginContext, req: Request, user: CurrentUser) {
  const id = typeof req.query.job === 'string' && UUID.test(req.query.job) ? req.query.job : null;
  if (!id) return null;
  const job = await ctx.get<JobRunner>(TOKENS.Jobs).get(id);
  if (!job || job.type !== REASSIGN_JOB || (job.userId !== user.id && !user.isAdmin)) return null;
  const href = `/jobs/${job.id}?back=${encodeURIComponent(`${PAGE}?job=${job.id}`)}`;
  if (job.state === 'queued' || job.state === 'running') return { type: 'info', text: req.t('responsible:summary.running'), href };
  if (job.state === 'failed') return { type: 'danger', text: req.t('responsible:summary.failed', { error: job.error ?? '' }), href };
  const result = job.result as ReassignSummary | null;
  if (!result) return { type: 'warning', text: req.t('responsible:summary.cancelled_empty'), href };
  return {
    type: job.state === 'cancelled' || result.cancelled ? 'warning' : 'success',
    text: req.t(job.state === 'cancelled' || result.cancelled ? 'responsible:summary.cancelled' : 'responsible:summary.done', { count: result.moved, name: result.from.name }),
    lines: result.to.filter((t) => t.count > 0).map((t) => req.t('responsible:summary.to', { count: t.count, name: t.name })),
    skipped: result.skipped ? req.t('responsible:summary.skipped', { count: result.skipped }) : null,
    href,
  };
}

export function registerOverviewPage(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/',
    right: 'crm.access',
    summary: 'Responsible managers with their client counts and the pool of unassigned clients',
    handler: async (req, res) => {
      const user = req.user!;
      const managersService = ctx.get<ManagersService>(ResponsibleTokens.Managers);
      const canReassign = user.can(RIGHTS.reassign);
      const [overview, candidates, summary] = await Promise.all([managersService.overview(user), canReassign ? managersService.candidates() : [], jobSummary(ctx, req, user)]);
      const max = Math.max(1, ...overview.managers.map((m) => m.count));
      const from = typeof req.query.from === 'string' && /^\d{1,10}$/.test(req.query.from) ? Number(req.query.from) : null;
      const managers = overview.managers.map((m) => ({
        ...m,
        initials: initials(m.name),
        me: m.user_id === user.id,
        href: listHref(m.user_id),
        share: Math.round((m.count / max) * 100),
        reassignHref: canReassign && m.count > 0 ? `${PAGE}?from=${m.user_id}#reassign` : null,
      }));
      res.type('html').send(
        await ctx.get<ViewRenderer>(TOKENS.Views).renderPage(req, 'responsible/overview', {
          title: req.t('responsible:title'),
          summary,
          managers,
          unassigned: overview.unassigned,
          total: overview.total,
          unassignedHref: listHref(0),
          canClaim: user.can(RIGHTS.claim),
          canReassign,
          fromOptions: managers.filter((m) => m.count > 0).map((m) => ({ value: m.user_id, label: req.t('responsible:reassign.from_option', { name: m.name, n: m.count }), selected: m.user_id === from, inactive: !m.active })),
          targets: candidates.map((c) => ({ ...c, hidden: c.id === from })),
          styles: ['/assets/p/responsible/responsible.css'],
          scripts: ['/assets/p/responsible/responsible.js'],
        }),
      );
    },
  });

  ctx.route({
    method: 'post',
    path: '/reassign',
    right: RIGHTS.reassign,
    summary: 'Start reassigning every client of a user (form)',
    handler: async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const from = formIds(body.from_user_id)[0] ?? NaN;
      try {
        const id = await ctx.get<ReassignService>(ResponsibleTokens.Reassign).start(req.user!, { from_user_id: from, to_user_ids: formIds(body.to_user_ids) });
        res.redirect(303, `/jobs/${id}?back=${encodeURIComponent(`${PAGE}?job=${id}`)}`);
      } catch (err) {
        flash(req, 'danger', messageOf(req, refusal(err)));
        res.redirect(303, Number.isInteger(from) ? `${PAGE}?from=${from}#reassign` : `${PAGE}#reassign`);
      }
    },
  });
}
