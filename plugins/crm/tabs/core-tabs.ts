/**
 * The core's own tabs on the client card, contributed through the same extension point as any
 * other plugin's: Info, Employees (companies), Notes and History.
 */
import type { PluginContext } from '../../../host/api.js';
import { profileTabs } from '../api.js';
import { countEmployees, renderEmployeesTab } from './employees-tab.js';
import { countHistoryEntries, renderHistoryTab } from './history-tab.js';
import { renderInfoTab } from './info-tab.js';
import { countNotes, renderNotesTab } from './notes-tab.js';

export function registerCoreTabs(ctx: PluginContext): void {
  ctx.extend(profileTabs, {
    id: 'info',
    title: 'crm:tabs.info.title',
    order: 10,
    right: 'crm.access',
    render: (contact, req) => renderInfoTab(ctx, contact, req),
  });
  ctx.extend(profileTabs, {
    id: 'employees',
    title: 'crm:tabs.employees.title',
    order: 20,
    right: 'crm.access',
    applies: (contact) => contact.kind === 'company',
    count: (contact, req) => countEmployees(ctx, contact, req),
    render: (contact, req) => renderEmployeesTab(ctx, contact, req),
  });
  ctx.extend(profileTabs, {
    id: 'notes',
    title: 'crm:tabs.notes.title',
    order: 30,
    right: 'crm.access',
    count: (contact, req) => countNotes(ctx, contact, req),
    render: (contact, req) => renderNotesTab(ctx, contact, req),
  });
  ctx.extend(profileTabs, {
    id: 'history',
    title: 'crm:tabs.history.title',
    order: 90,
    right: 'crm.access',
    count: (contact, req) => countHistoryEntries(ctx, contact, req),
    render: (contact, req) => renderHistoryTab(ctx, contact, req),
  });
}
