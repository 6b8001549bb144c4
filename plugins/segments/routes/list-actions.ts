/**
 * The client list's mass actions "Add to segment" and "Remove from segment" (static segments):
 * `{segment_id}`; the ids are filtered through the user's access scope before anything changes.
 */
import type { CurrentUser, PluginContext } from '../../../host/api.js';
import type { ListAction } from '../../crm/api.js';
import { invalid } from '../services/rows.js';
import { services } from './support.js';

export const actionParams = {
  type: 'object',
  required: ['segment_id'],
  properties: { segment_id: { type: 'integer', minimum: 1, maximum: 2_147_483_647, title: 'segments:actions.segment' } },
};

function segmentId(params: Record<string, unknown>): number {
  const id = Number(params.segment_id);
  if (!Number.isSafeInteger(id) || id < 1) throw invalid('segment_id', 'segments:errors.pick_segment');
  return id;
}

export function segmentActions(ctx: PluginContext): Array<ListAction & { params: Record<string, unknown> }> {
  return [
    {
      id: 'add-to-segment',
      title: 'segments:actions.add',
      icon: 'collection',
      order: 20,
      right: 'crm.contacts.edit',
      params: actionParams,
      run: async (user: CurrentUser, ids: number[], params: Record<string, unknown>) => services(ctx).segments.addMembers(user, segmentId(params), ids),
    },
    {
      id: 'remove-from-segment',
      title: 'segments:actions.remove',
      icon: 'collection-fill',
      order: 21,
      right: 'crm.contacts.edit',
      params: actionParams,
      run: async (user: CurrentUser, ids: number[], params: Record<string, unknown>) => services(ctx).segments.removeMembers(user, segmentId(params), ids),
    },
  ];
}
