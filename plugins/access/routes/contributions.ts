/**
 * What the plugin adds to other screens: the card header's class badge and "who can see this
 * client" dropdown, a Class column and a "Set class" action on the client list, and the classes
 * section of the group (permission profile) form and API.
 */
import type { Request } from 'express';
import { TOKENS, type GroupExtension, type PluginContext, type ViewRenderer } from '../../../host/api.js';
import type { ListAction, ListColumn, ProfileHeaderSlot } from '../../crm/api.js';
import { AccessTokens, ACCESS_LEVELS, type ClassesService, type GroupAccess } from '../api.js';
import type { ClassWriter } from '../services/class-writer.js';
import { invalid, fieldError, positiveId } from '../services/errors.js';
import type { GroupAccessStore } from '../services/group-access.js';
import { classBadge } from './support.js';

export function headerSlot(ctx: PluginContext): ProfileHeaderSlot {
  return {
    id: 'access',
    order: 20,
    right: 'crm.access',
    async render(contact, req: Request) {
      const found = contact.class_id ? await ctx.get<ClassesService>(AccessTokens.Classes).get(contact.class_id) : null;
      return ctx.get<ViewRenderer>(TOKENS.Views).renderPartial(req, 'access/partials/header-slot', {
        id: contact.id,
        klass: found ? classBadge(found) : null,
        staff: contact.is_staff,
      });
    },
  };
}

export function classColumn(ctx: PluginContext): ListColumn {
  return {
    id: 'class',
    title: 'access:list.column',
    order: 60,
    async values(contacts) {
      const names = new Map((await ctx.get<ClassesService>(AccessTokens.Classes).list()).map((c) => [c.id, c.name]));
      return new Map(contacts.filter((c) => c.class_id && names.has(c.class_id)).map((c) => [c.id, names.get(c.class_id!)!]));
    },
  };
}

/** `{class_id: <id> | null}`: sets the class of the selected contacts the user may edit. */
export function setClassAction(ctx: PluginContext): ListAction {
  return {
    id: 'set-class',
    title: 'access:list.set_class',
    icon: 'shield-lock',
    right: 'crm.contacts.edit',
    async run(user, ids, params) {
      const raw = params.class_id;
      const classId = raw === null || raw === '' || raw === undefined ? null : positiveId(raw);
      if (classId === null && !(raw === null || raw === '')) throw invalid([fieldError('class_id', 'required', 'access:errors.unknown_class')]);
      return ctx.get<ClassWriter>(AccessTokens.ClassWriter).setMany(user, ids, classId);
    },
  };
}

const FORM_MARK = 'access_form';
const CLASS_FIELD = /^access_class_([1-9]\d{0,9})$/;

export function groupSection(ctx: PluginContext): GroupExtension {
  const store = () => ctx.get<GroupAccessStore>(AccessTokens.GroupAccess);
  return {
    id: 'classes',
    order: 10,
    properties: {
      classes: {
        type: 'object',
        propertyNames: { pattern: '^[1-9][0-9]{0,9}$' },
        additionalProperties: { enum: ['none', ...ACCESS_LEVELS] },
        maxProperties: 1000,
      },
      only_own: { type: 'boolean' },
    },
    read: async (groupIds) => new Map([...(await store().read(groupIds))].map(([id, v]) => [id, { classes: v.classes, only_own: v.only_own }])),
    write: (groupId, input) => store().write(groupId, input as Partial<{ classes: Record<string, string>; only_own: boolean }>),
    check: (input) => store().check(input as { classes?: Record<string, unknown> }),
    async renderForm(req, values) {
      const current = values as Partial<GroupAccess>;
      const levels = current.classes ?? {};
      const classes = await ctx.get<ClassesService>(AccessTokens.Classes).list();
      return ctx.get<ViewRenderer>(TOKENS.Views).renderPartial(req, 'access/partials/group-section', {
        classes: classes.map((c) => ({ ...classBadge(c), level: levels[String(c.id)] ?? 'none' })),
        onlyOwn: Boolean(current.only_own),
      });
    },
    parseForm(body) {
      if (body[FORM_MARK] === undefined) return {};
      const classes: Record<string, string> = {};
      for (const [key, value] of Object.entries(body)) {
        const m = CLASS_FIELD.exec(key);
        const level = Array.isArray(value) ? value[0] : value;
        if (m && (level === 'view' || level === 'edit')) classes[m[1]!] = level;
      }
      const own = Array.isArray(body.access_only_own) ? body.access_only_own.at(-1) : body.access_only_own;
      return { classes, only_own: own === '1' || own === 'on' || own === 'true' };
    },
  };
}
