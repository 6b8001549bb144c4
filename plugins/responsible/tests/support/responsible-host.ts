/** A test host with the CRM, the responsible plugin, a running job worker and test-only access rules (fixtures/responsible-probe). */
import path from 'node:path';
import request from 'supertest';
import { TOKENS, type CurrentUser, type JobRunner, type UsersService } from '../../../../host/api.js';
import { ADMIN, createTestHost, ROOT, type TestHost } from '../../../../tests/support/test-host.js';
import { CrmTokens, type Contact, type ContactInput, type ContactKind, type ContactsService, type HistoryWriter } from '../../../crm/api.js';
import { ResponsibleTokens, type ManagersService, type PoolService, type ReassignService } from '../../api.js';

export interface ResponsibleTestHost extends TestHost {
  contacts: ContactsService;
  history: HistoryWriter;
  managers: ManagersService;
  reassign: ReassignService;
  pool: PoolService;
  jobRunner: JobRunner;
  users: UsersService;
  admin: CurrentUser;
  asUser(id: number): Promise<CurrentUser>;
  /** A contact created by the admin. */
  contact(input?: Partial<ContactInput> & { kind?: ContactKind }): Promise<Contact>;
  token(email?: string, password?: string): Promise<string>;
}

let people = 0;

export async function createResponsibleTestHost(): Promise<ResponsibleTestHost> {
  const host = await createTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), path.join(import.meta.dirname, '..', 'fixtures')], jobs: true });
  const get = <T>(token: symbol) => host.services.get<T>(token);
  const users = get<UsersService>(TOKENS.Users);
  const admin = (await users.currentUser((await users.findByEmail(ADMIN.email))!.id))!;
  const contacts = get<ContactsService>(CrmTokens.Contacts);
  return Object.assign(host, {
    contacts,
    history: get<HistoryWriter>(CrmTokens.History),
    managers: get<ManagersService>(ResponsibleTokens.Managers),
    reassign: get<ReassignService>(ResponsibleTokens.Reassign),
    pool: get<PoolService>(ResponsibleTokens.Pool),
    jobRunner: get<JobRunner>(TOKENS.Jobs),
    users,
    admin,
    asUser: async (id: number) => (await users.currentUser(id))!,
    contact: (input: Partial<ContactInput> & { kind?: ContactKind } = {}) =>
      contacts.create(admin, { kind: 'person', first_name: 'Client', last_name: String(++people), ...input } as ContactInput & { kind: ContactKind }),
    token: async (email = ADMIN.email, password = ADMIN.password) => (await request(host.app!).post('/api/v1/auth/token').send({ email, password }).expect(201)).body.token as string,
  });
}
