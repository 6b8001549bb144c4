/** A test host with the CRM, the kanban plugin and a test-only access rule (see fixtures/kanban-probe). */
import path from 'node:path';
import request from 'supertest';
import { TOKENS, type CurrentUser, type UsersService } from '../../../../host/api.js';
import { ADMIN, createTestHost, ROOT, type TestHost, type TestHostOptions } from '../../../../tests/support/test-host.js';
import { CrmTokens, type Contact, type ContactInput, type ContactKind, type ContactsService, type DictionaryItem, type HistoryWriter } from '../../../crm/api.js';
import { KanbanTokens, type BoardService } from '../../api.js';

/** The part of the CRM's dictionaries service the tests use (its type is not in the CRM's api.ts). */
export interface Dictionaries {
  create(dictionary: 'status', input: { name: string; color?: string | null; labels?: Record<string, string>; active?: boolean }): Promise<DictionaryItem>;
  update(id: number, input: { active?: boolean; sort?: number }): Promise<DictionaryItem>;
}

export interface KanbanTestHost extends TestHost {
  contacts: ContactsService;
  history: HistoryWriter;
  board: BoardService;
  admin: CurrentUser;
  asUser(id: number): Promise<CurrentUser>;
  status(name: string, color?: string, options?: { active?: boolean; labels?: Record<string, string> }): Promise<DictionaryItem>;
  dictionaries: Dictionaries;
  /** A contact created by the admin. */
  contact(input?: Partial<ContactInput> & { kind?: ContactKind }): Promise<Contact>;
  token(email?: string, password?: string): Promise<string>;
}

let people = 0;

export async function createKanbanTestHost(options: TestHostOptions = {}): Promise<KanbanTestHost> {
  const host = await createTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), path.join(import.meta.dirname, '..', 'fixtures')], ...options });
  const get = <T>(token: symbol) => host.services.get<T>(token);
  const users = get<UsersService>(TOKENS.Users);
  const admin = (await users.currentUser((await users.findByEmail(ADMIN.email))!.id))!;
  const contacts = get<ContactsService>(CrmTokens.Contacts);
  return Object.assign(host, {
    contacts,
    history: get<HistoryWriter>(CrmTokens.History),
    board: get<BoardService>(KanbanTokens.Board),
    admin,
    asUser: async (id: number) => (await users.currentUser(id))!,
    dictionaries: get<Dictionaries>(CrmTokens.Dictionaries),
    status: (name: string, color = '#0d6efd', extra: { active?: boolean; labels?: Record<string, string> } = {}) =>
      get<Dictionaries>(CrmTokens.Dictionaries).create('status', { name, color, ...extra }),
    contact: (input: Partial<ContactInput> & { kind?: ContactKind } = {}) =>
      contacts.create(admin, { kind: 'person', first_name: 'Person', last_name: String(++people), ...input } as ContactInput & { kind: ContactKind }),
    token: async (email = ADMIN.email, password = ADMIN.password) => (await request(host.app!).post('/api/v1/auth/token').send({ email, password }).expect(201)).body.token as string,
  });
}
