/**
 * Mass actions over the API: the ones the caller may run, and running one on explicit ids, the
 * caller's selection or a list filter. Small sets answer 200 with the summary; larger ones 202
 * with the job to follow at `GET /api/v1/jobs/:id`.
 */
import type { PluginContext } from '../../../../host/api.js';
import { ListActionRunner, actionKey, type ActionTarget } from '../../services/list-action-runner.js';
import { apiRoutes, invalid } from './params.js';
import { filterQuery, filterSchema, idsSchema } from './selections.js';

export function registerListActionRoutes(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  const runner = () => new ListActionRunner(ctx);

  route({
    method: 'get',
    path: '/list-actions',
    right: 'crm.access',
    summary: 'The mass actions the caller may run: {items: [{id, title, icon, right, schema}]}',
    handler: (req, res) => {
      res.json({
        items: runner()
          .runnable(req.user!)
          .map((a) => ({ id: actionKey(a), title: req.t(a.title), icon: a.icon ?? null, right: a.right ?? null, schema: a.schema ?? null })),
      });
    },
  });

  route({
    method: 'post',
    path: '/list-actions/:id',
    right: 'crm.access',
    summary: 'Run a mass action on {ids} | {selection: true} | {filter: {list filters}} with {params}: 200 {changed, skipped, failed, total} or 202 {job_id}',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ids: idsSchema,
        selection: { type: 'boolean', const: true },
        filter: filterSchema,
        params: { type: 'object', default: {} },
      },
    },
    handler: async (req, res) => {
      const user = req.user!;
      const body = req.body as { ids?: number[]; selection?: true; filter?: Record<string, unknown>; params: Record<string, unknown> };
      const given = (['ids', 'selection', 'filter'] as const).filter((k) => body[k] !== undefined);
      if (given.length !== 1) throw invalid([{ field: 'ids', code: 'target', message: 'crm:actions.one_target' }]);
      const r = runner();
      // The action first: an unknown one is 404 and a forbidden one 403, whatever the target.
      r.find(user, String(req.params.id));
      const target: ActionTarget = body.ids ? { ids: body.ids } : body.selection ? { selection: true } : { query: filterQuery(ctx, user, body.filter!) };
      const outcome = await r.run(user, String(req.params.id), target, body.params);
      if (outcome.jobId !== undefined) return void res.status(202).location(`/api/v1/jobs/${outcome.jobId}`).json({ job_id: outcome.jobId, total: outcome.total });
      res.json(outcome.summary);
    },
  });
}
