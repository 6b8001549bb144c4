/**
 * "Merge" in the client list's mass actions. In the list it leads (`href`) to the merge screen
 * for the selected contacts, where the user chooses the master and the values. Over the API
 * (`POST /api/v1/list-actions/crm.merge`) it merges the given contacts at once into `master_id`
 * (default: the oldest), each field keeping the master's value unless it is empty.
 */
import { HttpError, type PluginContext } from '../../../host/api.js';
import { listActions } from '../api.js';
import { MAX_MERGE, MergeService } from './merge-service.js';

export function registerMergeAction(ctx: PluginContext): void {
  ctx.extend(listActions, {
    id: 'merge',
    title: 'crm:duplicates.action',
    icon: 'union',
    order: 30,
    right: 'crm.contacts.merge',
    href: '/crm/merge/selection',
    schema: {
      type: 'object',
      additionalProperties: false,
      description: 'crm:duplicates.action_help',
      properties: { master_id: { type: 'integer', minimum: 1, title: 'crm:duplicates.master' } },
    },
    async run(user, ids, params) {
      const masterId = typeof params.master_id === 'number' ? params.master_id : Math.min(...ids);
      if (!ids.includes(masterId)) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'master_id', code: 'unknown', message: 'crm:duplicates.errors.not_in_merge' }]);
      if (ids.length > MAX_MERGE + 1) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'ids', code: 'maxItems', message: 'crm:duplicates.errors.over_limit', params: { max: MAX_MERGE } }]);
      const result = await new MergeService(ctx).merge(user, { masterId, mergeIds: ids.filter((id) => id !== masterId) });
      return { changed: result.merged.length + 1 };
    },
  });
}
