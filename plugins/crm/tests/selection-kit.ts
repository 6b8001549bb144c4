/**
 * What the selection and mass-action tests share: a probe plugin with an access rule and a
 * "before save" veto, quick bulk contacts, and readers of the history and the contacts' columns.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { TOKENS } from '../../../host/api.js';
import { ROOT } from '../../../tests/support/test-host.js';
import type { CrmTestHost } from './support/crm-host.js';

/**
 * A plugin for these tests: users whose email starts with "scoped" cannot see contacts titled
 * "Hidden"; contacts titled "Locked" refuse any change of status (another plugin's veto); and a
 * mass action "Ping" whose choices come from the plugin's own URL, recording what it was given.
 */
export function writeProbePlugin(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-selection-probe-'));
  const dir = path.join(root, 'selection-probe');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.writeFileSync(
    path.join(dir, 'plugin.manifest.json'),
    JSON.stringify({ id: 'selection-probe', name: 'Selection probe', version: '1.0.0', host: '^1.0.0', main: 'index.ts', dependencies: { crm: '^1.0.0' } }),
  );
  const crmApi = path.join(ROOT, 'plugins', 'crm', 'api.ts');
  const hostApi = path.join(ROOT, 'host', 'api.ts');
  fs.writeFileSync(
    path.join(dir, 'index.ts'),
    `import { contactBeforeSave, contactClasses, listActions } from '${crmApi}';
import { HttpError } from '${hostApi}';
export function register(ctx) {
  ctx.extend(contactClasses, { id: 'hidden', condition(user, alias) {
    return user.email.startsWith('scoped') ? { sql: "COALESCE(" + alias + ".job_title, '') <> ?", params: ['Hidden'] } : null;
  } });
  ctx.onBefore(contactBeforeSave, ({ input, existing }) => {
    if (existing && existing.job_title === 'Locked' && input.status_id !== undefined) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input');
  });
  ctx.extend(listActions, { id: 'ping', title: 'Ping', icon: 'broadcast', order: 1, right: 'crm.contacts.edit',
    schema: { type: 'object', additionalProperties: false, required: ['target'], properties: { target: { type: 'integer', title: 'Target', 'x-crm-options': '/selection-probe/targets' }, loud: { type: 'boolean', title: 'Loud' }, words: { type: 'array', items: { type: 'string' }, title: 'Words' } } },
    async run(user, ids, params) {
      globalThis.__pings = [...(globalThis.__pings ?? []), { user: user.id, ids, params }];
      return { changed: ids.length };
    } });
  ctx.route({ method: 'get', path: '/targets', handler: (req, res) => res.json([{ value: 1, label: 'One' }, { value: 2, label: 'Two' }]) });
}
`,
  );
  return root;
}

/** Inserts `count` people straight into the table (fast, for thousands), returning their ids in order. */
export async function bulkPeople(host: CrmTestHost, count: number, values: { last_name: string; category_id?: number | null; status_id?: number | null; job_title?: string | null }): Promise<number[]> {
  const db = host.services.get<Sequelize>(TOKENS.Database);
  const now = new Date();
  const ids: number[] = [];
  for (let start = 0; start < count; start += 500) {
    const rows = Array.from({ length: Math.min(500, count - start) }, (_, i) => {
      const first = `Bulk${String(start + i + 1).padStart(5, '0')}`;
      return [
        'person', `${first} ${values.last_name}`, `${first} ${values.last_name}`.toLowerCase(), first, values.last_name,
        values.job_title ?? null, values.status_id ?? null, values.category_id ?? null, now, now,
      ];
    });
    await db.query(
      `INSERT INTO crm_contacts (kind, display_name, name_key, first_name, last_name, job_title, status_id, category_id, is_staff, has_email, has_phone, version, created_at, updated_at) VALUES ${rows
        .map(() => '(?, ?, ?, ?, ?, ?, ?, ?, false, false, false, 1, ?, ?)')
        .join(', ')}`,
      { replacements: rows.flat() },
    );
  }
  const [found] = await db.query('SELECT id FROM crm_contacts WHERE last_name = ? ORDER BY id', { replacements: [values.last_name] });
  ids.push(...(found as Array<{ id: number }>).map((r) => Number(r.id)));
  return ids;
}

/** One column of these contacts, by id. */
export async function columnOf(host: CrmTestHost, ids: number[], column: 'status_id' | 'category_id' | 'responsible_id' | 'deleted_at' | 'version'): Promise<Map<number, unknown>> {
  if (!ids.length) return new Map();
  const [rows] = await host.services.get<Sequelize>(TOKENS.Database).query(`SELECT id, ${column} AS v FROM crm_contacts WHERE id IN (${ids.map(() => '?').join(',')})`, { replacements: ids });
  return new Map((rows as Array<{ id: number; v: unknown }>).map((r) => [Number(r.id), r.v]));
}

/** History rows of these contacts for one field (or action), as {contact, old, new, user}. */
export async function historyOf(host: CrmTestHost, ids: number[], filter: { field?: string; action?: string }): Promise<Array<{ contact: number; old: unknown; new: unknown; user: number | null }>> {
  if (!ids.length) return [];
  const where = [`contact_id IN (${ids.map(() => '?').join(',')})`];
  const params: unknown[] = [...ids];
  if (filter.field) {
    where.push('field = ?');
    params.push(filter.field);
  }
  if (filter.action) {
    where.push('action = ?');
    params.push(filter.action);
  }
  const [rows] = await host.services.get<Sequelize>(TOKENS.Database).query(`SELECT contact_id, old_value, new_value, user_id FROM crm_history WHERE ${where.join(' AND ')} ORDER BY contact_id, id`, {
    replacements: params,
  });
  const parse = (v: string | null) => (v === null ? null : JSON.parse(v));
  return (rows as Array<{ contact_id: number; old_value: string | null; new_value: string | null; user_id: number | null }>).map((r) => ({
    contact: Number(r.contact_id),
    old: parse(r.old_value),
    new: parse(r.new_value),
    user: r.user_id === null ? null : Number(r.user_id),
  }));
}

/** The contact ids of the rows in a list page, in order. */
export function rowIds(html: string): number[] {
  return [...html.matchAll(/<tr data-contact-id="(\d+)"/g)].map((m) => Number(m[1]));
}

/** The ids whose tick box is checked on a list page. */
export function tickedIds(html: string): number[] {
  return [...html.matchAll(/<input class="form-check-input crm-select" type="checkbox" value="(\d+)"[^>]*?( checked)?>/g)].filter((m) => m[2]).map((m) => Number(m[1]));
}
