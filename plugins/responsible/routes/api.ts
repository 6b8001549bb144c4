/**
 * REST: managers with their client counts, reassigning every client of a user (a job), and
 * claiming a free client.
 */
import type { PluginContext } from '../../../host/api.js';
import { RIGHTS, ResponsibleTokens, type ManagersService, type PoolService, type ReassignRequest, type ReassignService } from '../api.js';
import { MAX_TARGETS } from '../services/reassign-service.js';
import { idParam } from './support.js';

const USER_ID = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };

export function registerApi(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/responsible',
    api: true,
    right: 'crm.access',
    summary: 'Managers with the number of clients the caller may see for each (`items`), and the unassigned pool (`unassigned`)',
    handler: async (req, res) => {
      const overview = await ctx.get<ManagersService>(ResponsibleTokens.Managers).overview(req.user!);
      res.json({ items: overview.managers, unassigned: overview.unassigned, total: overview.total });
    },
  });

  ctx.route({
    method: 'post',
    path: '/responsible/reassign',
    api: true,
    right: RIGHTS.reassign,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['from_user_id', 'to_user_ids'],
      properties: { from_user_id: USER_ID, to_user_ids: { type: 'array', minItems: 1, maxItems: MAX_TARGETS, items: USER_ID } },
    },
    summary: 'Reassign every client of a user to one manager or evenly to several: {from_user_id, to_user_ids}; 202 {job_id} (GET /jobs/{id} for progress and the summary)',
    handler: async (req, res) => {
      const jobId = await ctx.get<ReassignService>(ResponsibleTokens.Reassign).start(req.user!, req.body as ReassignRequest);
      res.status(202).json({ job_id: jobId });
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/claim',
    api: true,
    right: RIGHTS.claim,
    body: { type: 'object', additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } },
    summary: 'Claim a free client: the caller becomes responsible; {version?}; 409 when somebody claimed it first',
    handler: async (req, res) => {
      const { version } = (req.body ?? {}) as { version?: number };
      res.json(await ctx.get<PoolService>(ResponsibleTokens.Pool).claim(req.user!, idParam(req), version));
    },
  });
}
