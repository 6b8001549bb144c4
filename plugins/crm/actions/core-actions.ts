/**
 * The CRM's own mass actions on the client list: set the status, the category or the
 * responsible manager, and move to the trash. Each declares its right, takes its params through a
 * JSON Schema (the `x-crm-picker` annotation tells the list which picker to offer), and changes
 * only contacts inside the access scope, in batches with history per contact (batch-writer.ts).
 * Tags come from the tags plugin and the class from the access plugin, through the same point.
 */
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, type CurrentUser, type PluginContext } from '../../../host/api.js';
import { CrmTokens, listActions, type DictionaryName, type ListAction } from '../api.js';
import type { DictionariesService } from '../services/dictionaries-service.js';
import { BatchWriter, type SettableField } from './batch-writer.js';

const invalid = (field: string, message: string) => new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field, code: 'unknown', message }]);

/** A nullable id chosen with one of the list's pickers. */
const pickedId = (picker: string, title: string) => ({ type: ['integer', 'null'], minimum: 1, 'x-crm-picker': picker, title });

function paramsSchema(field: string, picker: string, title: string) {
  return { type: 'object', additionalProperties: false, required: [field], properties: { [field]: pickedId(picker, title) } };
}

/** The id in `params[field]`: null ("none") or a positive integer. */
function idParam(params: Record<string, unknown>, field: string): number | null {
  const raw = params[field];
  if (raw === null) return null;
  const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw invalid(field, 'host:validation.type');
  return id;
}

export function registerCoreActions(ctx: PluginContext): void {
  const writer = new BatchWriter(ctx);

  const dictionaryAction = (id: string, field: SettableField, dictionary: DictionaryName, icon: string, order: number): ListAction => ({
    id,
    title: `crm:actions.${id.replace(/-/g, '_')}`,
    icon,
    order,
    right: 'crm.contacts.edit',
    schema: paramsSchema(field, dictionary, `crm:actions.field.${dictionary}`),
    async run(user: CurrentUser, ids: number[], params: Record<string, unknown>) {
      const value = idParam(params, field);
      if (value !== null) {
        const item = await ctx.get<DictionariesService>(CrmTokens.Dictionaries).get(value);
        if (!item || item.dictionary !== dictionary) throw invalid(field, 'crm:errors.unknown_item');
      }
      return writer.setField(user, ids, field, value);
    },
  });

  ctx.extend(listActions, dictionaryAction('set-status', 'status_id', 'status', 'flag', 20));
  ctx.extend(listActions, dictionaryAction('set-category', 'category_id', 'category', 'bookmark', 21));

  ctx.extend(listActions, {
    id: 'set-responsible',
    title: 'crm:actions.set_responsible',
    icon: 'person-check',
    order: 22,
    right: 'crm.contacts.edit',
    schema: paramsSchema('responsible_id', 'user', 'crm:actions.field.responsible'),
    async run(user, ids, params) {
      const value = idParam(params, 'responsible_id');
      if (value !== null) {
        const [rows] = await ctx.get<Sequelize>(TOKENS.Database).query('SELECT id FROM host_users WHERE id = ? AND is_active = ?', { replacements: [value, true] });
        if (!(rows as unknown[]).length) throw invalid('responsible_id', 'crm:errors.unknown_user');
      }
      return writer.setField(user, ids, 'responsible_id', value);
    },
  });

  ctx.extend(listActions, {
    id: 'delete',
    title: 'crm:actions.delete',
    icon: 'trash3',
    order: 90,
    right: 'crm.contacts.delete',
    // No params; the list asks to confirm (`x-crm-danger`) with the description.
    schema: { type: 'object', additionalProperties: false, properties: {}, description: 'crm:actions.delete_confirm', 'x-crm-danger': true },
    run: (user, ids) => writer.trash(user, ids),
  });
}
