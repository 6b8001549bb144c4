/**
 * The "who can see this client" panel: the contact's class and the groups it opens to, the
 * per-card grants, and (for whoever may edit the contact) the forms to change both.
 */
import type { Request } from 'express';
import { TOKENS, type FieldError, type GroupsService, type PluginContext, type UsersService } from '../../../host/api.js';
import { CrmTokens, type Contact, type ContactScope } from '../../crm/api.js';
import { AccessTokens, type ClassesService, type ContactGrant, type GrantsService } from '../api.js';
import type { ClassWriter } from '../services/class-writer.js';
import type { GroupAccessStore } from '../services/group-access.js';
import { classBadge, errorMap } from './support.js';

export interface PanelOptions {
  alert?: { type: 'success' | 'danger' | 'warning'; text: string } | null;
  errors?: FieldError[];
  /** The values of a refused form, shown again. */
  posted?: { principal?: string; level?: string };
}

export async function panelModel(ctx: PluginContext, req: Request, contact: Contact, options: PanelOptions = {}) {
  const user = req.user!;
  const classes = await ctx.get<ClassesService>(AccessTokens.Classes).list();
  const writer = ctx.get<ClassWriter>(AccessTokens.ClassWriter);
  const canEdit = !contact.deleted_at && (await ctx.get<ContactScope>(CrmTokens.Scope).canEdit(user, contact.id));
  const current = classes.find((c) => c.id === contact.class_id) ?? null;
  const grants: ContactGrant[] = await ctx.get<GrantsService>(AccessTokens.Grants).list(user, contact.id);
  const groupsByClass = current ? await ctx.get<GroupAccessStore>(AccessTokens.GroupAccess).groupsByClass() : new Map();

  let classOptions: Array<{ id: number; name: string; selected: boolean }> = [];
  let principals: { users: Array<{ value: string; name: string; selected: boolean }>; groups: Array<{ value: string; name: string; selected: boolean }> } | null = null;
  if (canEdit) {
    const allowed = [];
    for (const c of classes) if (c.id === contact.class_id || (await writer.mayAssign(user, c.id))) allowed.push(c);
    classOptions = allowed.map((c) => ({ id: c.id, name: c.name, selected: c.id === contact.class_id }));
    const taken = new Set(grants.map((g) => (g.user_id !== null ? `u:${g.user_id}` : `g:${g.group_id}`)));
    const chosen = options.posted?.principal ?? '';
    const users = (await ctx.get<UsersService>(TOKENS.Users).list()).filter((u) => u.isActive).sort((a, b) => a.name.localeCompare(b.name, req.language));
    const groups = (await ctx.get<GroupsService>(TOKENS.Groups).list()).filter((g) => !g.isAdmin);
    principals = {
      users: users.filter((u) => !taken.has(`u:${u.id}`)).map((u) => ({ value: `u:${u.id}`, name: `${u.name} <${u.email}>`, selected: chosen === `u:${u.id}` })),
      groups: groups.filter((g) => !taken.has(`g:${g.id}`)).map((g) => ({ value: `g:${g.id}`, name: g.name, selected: chosen === `g:${g.id}` })),
    };
  }

  return {
    id: contact.id,
    name: contact.name,
    version: contact.version,
    staff: contact.is_staff,
    deleted: Boolean(contact.deleted_at),
    canEdit,
    klass: current ? classBadge(current) : null,
    classOptions,
    groups: current ? (groupsByClass.get(current.id) ?? []) : [],
    grants: grants.map((g) => ({ id: g.id, isUser: g.user_id !== null, name: g.user_name ?? g.group_name ?? '', level: g.level, edit: g.level === 'edit' })),
    principals,
    level: options.posted?.level === 'edit' ? 'edit' : 'view',
    alert: options.alert ?? null,
    errors: errorMap(req, options.errors ?? []),
  };
}
