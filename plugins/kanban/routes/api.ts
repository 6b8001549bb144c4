/**
 * REST: the board as JSON (`GET /api/v1/kanban`, the list's filters) and moving a card
 * (`POST /api/v1/kanban/cards/:id/move`, what the board's drag and drop calls).
 */
import type { Request } from 'express';
import { HttpError, type PluginContext } from '../../../host/api.js';
import { KanbanTokens, type BoardService } from '../api.js';
import { parseFilters } from './filters.js';

/** A positive integer path parameter, or 404. */
function idParam(req: Request): number {
  const raw = String(req.params.id ?? '');
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

export function registerApi(ctx: PluginContext): void {
  const board = () => ctx.get<BoardService>(KanbanTokens.Board);

  ctx.route({
    method: 'get',
    path: '/kanban',
    api: true,
    right: 'crm.access',
    summary: 'The board: a column per active status and "No status" (status_id null), each with `total` and up to 100 `cards`; filters q, kind, responsible_id (0: unassigned, me)',
    handler: async (req, res) => {
      const { filters } = parseFilters(req.query as Record<string, unknown>, req.user!.id);
      res.json({ columns: await board().board(req.user!, filters, req.language) });
    },
  });

  ctx.route({
    method: 'post',
    path: '/kanban/cards/:id/move',
    api: true,
    right: 'crm.access',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['status_id', 'version'],
      properties: {
        status_id: { type: ['integer', 'null'], minimum: 1, maximum: 2_147_483_647 },
        version: { type: 'integer', minimum: 1 },
      },
    },
    summary: 'Move a card to another column: {status_id (null: no status), version}; 409 with details.current when the version is stale',
    handler: async (req, res) => {
      const body = req.body as { status_id: number | null; version: number };
      const contact = await board().move(req.user!, idParam(req), body.status_id, body.version);
      res.json({ id: contact.id, status_id: contact.status_id, version: contact.version, name: contact.name });
    },
  });
}
