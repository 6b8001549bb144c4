/** A test host with every plugin of the project, the access plugin's services, and helpers to build groups, users and contacts. */
import path from 'node:path';
import request from 'supertest';
import { HttpError, TOKENS, type CurrentUser, type GroupsService, type UsersService } from '../../../../host/api.js';
import { createTestHost, ROOT, type TestHost, type TestHostOptions } from '../../../../tests/support/test-host.js';
import { CrmTokens, type Contact, type ContactInput, type ContactKind, type ContactQueryService, type ContactScope, type ContactsService, type HistoryWriter } from '../../../crm/api.js';
import { AccessTokens, type AccessLevel, type ClassesService, type GrantsService } from '../../api.js';
import type { ClassWriter } from '../../services/class-writer.js';
import type { GroupAccessStore } from '../../services/group-access.js';

/** What most test users hold: see and work with contacts. */
export const WORKER_RIGHTS = ['crm.access', 'crm.contacts.create', 'crm.contacts.edit', 'crm.contacts.delete'];

export interface AccessTestHost extends TestHost {
  contacts: ContactsService;
  query: ContactQueryService;
  scope: ContactScope;
  history: HistoryWriter;
  classes: ClassesService;
  grants: GrantsService;
  groupAccess: GroupAccessStore;
  writer: ClassWriter;
  admin: CurrentUser;
  /** A group with rights, class levels (by class id) and "only my clients". */
  group(name: string, options?: { rights?: string[]; classes?: Record<number, AccessLevel>; onlyOwn?: boolean }): Promise<number>;
  /** A user in these groups; returns the CurrentUser as the scope sees it now, plus the password. */
  user(name: string, groupIds: number[]): Promise<CurrentUser & { password: string }>;
  /** Reloads a user (after their groups changed). */
  asUser(id: number): Promise<CurrentUser>;
  contact(input: Partial<ContactInput> & { kind?: ContactKind }): Promise<Contact>;
  /** Ids of the contacts the user sees, sorted. */
  visible(user: CurrentUser): Promise<number[]>;
  token(email: string, password: string): Promise<string>;
}

export async function createAccessTestHost(options: TestHostOptions = {}): Promise<AccessTestHost> {
  const host = await createTestHost({ pluginRoots: [path.join(ROOT, 'plugins')], ...options });
  const get = <T>(token: symbol) => host.services.get<T>(token);
  const users = get<UsersService>(TOKENS.Users);
  const groups = get<GroupsService>(TOKENS.Groups);
  const contacts = get<ContactsService>(CrmTokens.Contacts);
  const query = get<ContactQueryService>(CrmTokens.ContactQuery);
  const groupAccess = get<GroupAccessStore>(AccessTokens.GroupAccess);
  const admin = (await users.currentUser((await users.findByEmail('admin@example.com'))!.id))!;
  let counter = 0;
  return Object.assign(host, {
    contacts,
    query,
    scope: get<ContactScope>(CrmTokens.Scope),
    history: get<HistoryWriter>(CrmTokens.History),
    classes: get<ClassesService>(AccessTokens.Classes),
    grants: get<GrantsService>(AccessTokens.Grants),
    groupAccess,
    writer: get<ClassWriter>(AccessTokens.ClassWriter),
    admin,
    async group(name: string, o: { rights?: string[]; classes?: Record<number, AccessLevel>; onlyOwn?: boolean } = {}) {
      const g = await groups.create({ name, rights: o.rights ?? WORKER_RIGHTS });
      await groupAccess.write(g.id, { classes: Object.fromEntries(Object.entries(o.classes ?? {}).map(([k, v]) => [k, v])), only_own: o.onlyOwn ?? false });
      return g.id;
    },
    async user(name: string, groupIds: number[]) {
      const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${++counter}@example.com`;
      const password = 'user-password-1';
      const record = await users.create({ email, password, name, groups: groupIds });
      return Object.assign((await users.currentUser(record.id))!, { password });
    },
    asUser: async (id: number) => (await users.currentUser(id))!,
    contact: (input: Partial<ContactInput> & { kind?: ContactKind }) => contacts.create(admin, { kind: 'person', ...input } as ContactInput & { kind: ContactKind }),
    async visible(user: CurrentUser) {
      return (await query.ids(user, {})).sort((a, b) => a - b);
    },
    async token(email: string, password: string) {
      return (await request(host.app!).post('/api/v1/auth/token').send({ email, password }).expect(201)).body.token as string;
    },
  });
}

export async function rejection(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}
