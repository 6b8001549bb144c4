/**
 * Client access: contact classes and who may see which clients.
 *
 * Semantics (one SQL condition, ANDed into every contact query by the CRM's scope):
 * - Administrators see and edit everything (the scope does not ask rules about them).
 * - A contact with no class is visible to every user with crm.access.
 * - A contact of class K is visible to a user when one of the user's groups grants K ("view" or
 *   "edit"). A group marked "only my clients" grants its classes only for contacts whose
 *   responsible is the user; another group of the same user may still grant K in full.
 * - A per-card grant to the user, or to one of their groups, makes that contact visible whatever
 *   its class (and editable at level "edit").
 * - Staff cards (is_staff) are seen only with access.staff.view (or access.staff.edit), on top of
 *   the above; a per-card grant does not open a staff card to someone without the right.
 * - So a user whose groups grant no classes sees the unclassified clients and their per-card grants.
 * Editing (beyond crm.contacts.edit, which the CRM checks first): an unclassified client, a class
 * granted at "edit" (respecting "only my clients"), or an "edit" grant on the card; staff cards
 * need access.staff.edit. Only classes a user's group grants at "edit" may be assigned by them
 * (administrators: any), and only access.staff.edit changes the staff flag.
 * The condition reads group grants and card grants through subqueries at query time (no caches):
 * a change applies to the next request. Classes are deleted by unclassifying their contacts in
 * batches, with history; class changes and grants write history in the same transaction.
 */
import { ContainerModule, adminPages, groupExtensions, type PluginContext } from '../../host/api.js';
import { contactBeforeSave, contactClasses, contactDeleted, contactMerged, ioColumns, listActions, listColumns, profileHeaderSlots } from '../crm/api.js';
import { AccessTokens, RIGHTS } from './api.js';
import { registerApi } from './routes/api.js';
import { CLASSES_URL, registerClassesPages } from './routes/classes-pages.js';
import { registerContactPages } from './routes/contact-pages.js';
import { classColumn, groupSection, headerSlot, setClassAction } from './routes/contributions.js';
import { classIoColumn } from './services/class-io-column.js';
import { classRule } from './services/class-rule.js';
import { ClassWriter } from './services/class-writer.js';
import { ClassesServiceImpl } from './services/classes-service.js';
import { GrantsServiceImpl } from './services/grants-service.js';
import { GroupAccessStore } from './services/group-access.js';

export function register(ctx: PluginContext): void {
  ctx.bind(
    new ContainerModule(({ bind }) => {
      bind(AccessTokens.Classes).to(ClassesServiceImpl).inSingletonScope();
      bind(AccessTokens.Grants).to(GrantsServiceImpl).inSingletonScope();
      bind(AccessTokens.GroupAccess).to(GroupAccessStore).inSingletonScope();
      bind(AccessTokens.ClassWriter).to(ClassWriter).inSingletonScope();
    }),
  );
  const grants = () => ctx.get<GrantsServiceImpl>(AccessTokens.Grants);

  ctx.extend(contactClasses, classRule(ctx));
  ctx.extend(profileHeaderSlots, headerSlot(ctx));
  ctx.extend(listColumns, classColumn(ctx));
  ctx.extend(listActions, setClassAction(ctx));
  ctx.extend(ioColumns, classIoColumn(ctx));
  ctx.extend(groupExtensions, groupSection(ctx));
  ctx.extend(adminPages, { id: 'classes', title: 'access:classes.menu', href: CLASSES_URL, icon: 'shield-lock', order: 40, right: RIGHTS.manageClasses });

  ctx.onBefore(contactBeforeSave, ({ input, existing, user }) => ctx.get<ClassWriter>(AccessTokens.ClassWriter).beforeSave(input, existing, user));
  ctx.on(contactMerged, ({ fromId, intoId, transaction }) => grants().repoint(fromId, intoId, transaction));
  ctx.on(contactDeleted, async ({ id, purged }) => {
    if (purged) await grants().removeForContact(id);
  });

  registerClassesPages(ctx);
  registerContactPages(ctx);
  registerApi(ctx);
}
