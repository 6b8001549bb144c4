/**
 * The CRM core plugin: contacts (persons and companies), fields, dictionaries, notes and history,
 * the client list and the client card. It declares the extension points of its screens (api.ts)
 * so other plugins add tabs, actions, columns, filters, segment sources and access rules.
 */
import { ContainerModule, menuItems, type PluginContext } from '../../host/api.js';
import {
  CrmTokens,
  contactClasses,
  contactEnrichers,
  fieldTypes,
  filterConditions,
  ioColumns,
  listActions,
  listColumns,
  listPanels,
  profileActions,
  profileHeaderSlots,
  profileTabs,
  segmentSources,
} from './api.js';
import { registerCoreActions } from './actions/core-actions.js';
import { registerExport } from './export/index.js';
import { registerMerge } from './merge/register.js';
import { registerApiRoutes } from './routes/api/index.js';
import { registerCardPages } from './routes/card-pages.js';
import { registerListPages } from './routes/list-pages.js';
import { registerSettingsPages } from './routes/settings-pages.js';
import { ContactLoader } from './services/contact-loader.js';
import { ContactQueryImpl } from './services/contact-query.js';
import { ContactScopeImpl } from './services/contact-scope.js';
import { ContactsServiceImpl, CrmInternalTokens } from './services/contacts-service.js';
import { DictionariesService } from './services/dictionaries-service.js';
import { FieldsService } from './services/fields-service.js';
import { HistoryWriterImpl } from './services/history-writer.js';
import { NotesService } from './services/notes-service.js';
import { ProfileTabsService } from './services/profile-tabs.js';
import { registerCoreTabs } from './tabs/core-tabs.js';
import { registerCrmCli } from './seed/crm-cli.js';
import { registerImportEngine } from './import/engine/register-import-engine.js';
import { registerImportWeb } from './import/web/register-import-web.js';

export function register(ctx: PluginContext): void {
  ctx.bind(
    new ContainerModule(({ bind }) => {
      bind(CrmTokens.Scope).to(ContactScopeImpl).inSingletonScope();
      bind(CrmTokens.History).to(HistoryWriterImpl).inSingletonScope();
      bind(CrmTokens.Fields).to(FieldsService).inSingletonScope();
      bind(CrmTokens.Dictionaries).to(DictionariesService).inSingletonScope();
      bind(CrmTokens.Notes).to(NotesService).inSingletonScope();
      bind(CrmTokens.Contacts).to(ContactsServiceImpl).inSingletonScope();
      bind(CrmTokens.ContactQuery).to(ContactQueryImpl).inSingletonScope();
      bind(CrmInternalTokens.Loader).to(ContactLoader).inSingletonScope();
      bind(CrmTokens.ProfileTabs).to(ProfileTabsService).inSingletonScope();
    }),
  );
  for (const point of [profileTabs, profileActions, profileHeaderSlots, contactEnrichers, listColumns, listPanels, listActions, filterConditions, segmentSources, contactClasses, fieldTypes, ioColumns]) {
    ctx.declare(point);
  }
  ctx.extend(menuItems, { id: 'contacts', title: 'crm:menu.contacts', href: '/crm/contacts', icon: 'person-vcard', order: 10, right: 'crm.access' });

  registerCoreTabs(ctx);
  registerCoreActions(ctx);
  registerExport(ctx); // before the list, card and API routes: /contacts/export is not a contact id
  registerListPages(ctx);
  registerCardPages(ctx);
  registerSettingsPages(ctx);
  registerApiRoutes(ctx);
  registerCrmCli(ctx);
  registerImportEngine(ctx);
  registerImportWeb(ctx);
  registerMerge(ctx);
}
