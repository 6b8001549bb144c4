/** A test host with the CRM plugins loaded, and its services by token. */
import path from 'node:path';
import { TOKENS, type CurrentUser, type UsersService } from '../../../../host/api.js';
import { createTestHost, ROOT, type TestHost, type TestHostOptions } from '../../../../tests/support/test-host.js';
import { CrmTokens, type ContactQueryService, type ContactsService, type HistoryWriter } from '../../api.js';
import type { DictionariesService } from '../../services/dictionaries-service.js';
import type { FieldsService } from '../../services/fields-service.js';
import type { NotesService } from '../../services/notes-service.js';

export interface CrmTestHost extends TestHost {
  contacts: ContactsService;
  query: ContactQueryService;
  history: HistoryWriter;
  fields: FieldsService;
  dictionaries: DictionariesService;
  notes: NotesService;
  admin: CurrentUser;
  /** The CurrentUser of a user made with `userWithRights`. */
  asUser(id: number): Promise<CurrentUser>;
}

export async function createCrmTestHost(options: TestHostOptions = {}): Promise<CrmTestHost> {
  const host = await createTestHost({ pluginRoots: [path.join(ROOT, 'plugins')], ...options });
  const get = <T>(token: symbol) => host.services.get<T>(token);
  const users = get<UsersService>(TOKENS.Users);
  const adminRecord = (await users.findByEmail('admin@example.com'))!;
  return Object.assign(host, {
    contacts: get<ContactsService>(CrmTokens.Contacts),
    query: get<ContactQueryService>(CrmTokens.ContactQuery),
    history: get<HistoryWriter>(CrmTokens.History),
    fields: get<FieldsService>(CrmTokens.Fields),
    dictionaries: get<DictionariesService>(CrmTokens.Dictionaries),
    notes: get<NotesService>(CrmTokens.Notes),
    admin: (await users.currentUser(adminRecord.id))!,
    asUser: async (id: number) => (await users.currentUser(id))!,
  });
}
