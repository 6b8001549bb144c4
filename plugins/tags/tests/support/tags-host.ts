/** A test host with the CRM, the tags plugin and a test-only access rule (see fixtures/tags-probe). */
import path from 'node:path';
import type { Request } from 'express';
import request from 'supertest';
import { TOKENS, type CurrentUser, type I18nService, type Language, type UsersService } from '../../../../host/api.js';
import { ADMIN, createTestHost, ROOT, type TestHost } from '../../../../tests/support/test-host.js';
import { CrmTokens, type Contact, type ContactInput, type ContactKind, type ContactQueryService, type ContactsService, type HistoryWriter } from '../../../crm/api.js';
import { TagsTokens, type ContactTagsService, type TagsService } from '../../api.js';

export interface TagsTestHost extends TestHost {
  contacts: ContactsService;
  query: ContactQueryService;
  history: HistoryWriter;
  tags: TagsService;
  contactTags: ContactTagsService;
  admin: CurrentUser;
  asUser(id: number): Promise<CurrentUser>;
  /** A contact created by the admin. */
  contact(input?: Partial<ContactInput> & { kind?: ContactKind }): Promise<Contact>;
  /** A bearer token for the API. */
  token(email?: string, password?: string): Promise<string>;
  /** What a route handler gets as `req` for rendering on behalf of `user`. */
  request(user: CurrentUser, language?: Language, query?: Record<string, unknown>): Request;
}

let people = 0;

export async function createTagsTestHost(): Promise<TagsTestHost> {
  const host = await createTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), path.join(import.meta.dirname, '..', 'fixtures')] });
  const get = <T>(token: symbol) => host.services.get<T>(token);
  const users = get<UsersService>(TOKENS.Users);
  const admin = (await users.currentUser((await users.findByEmail(ADMIN.email))!.id))!;
  const contacts = get<ContactsService>(CrmTokens.Contacts);
  const i18n = get<I18nService>(TOKENS.I18n);
  return Object.assign(host, {
    contacts,
    query: get<ContactQueryService>(CrmTokens.ContactQuery),
    history: get<HistoryWriter>(CrmTokens.History),
    tags: get<TagsService>(TagsTokens.Tags),
    contactTags: get<ContactTagsService>(TagsTokens.ContactTags),
    admin,
    asUser: async (id: number) => (await users.currentUser(id))!,
    contact: (input: Partial<ContactInput> & { kind?: ContactKind } = {}) =>
      contacts.create(admin, { kind: 'person', first_name: 'Person', last_name: String(++people), ...input } as ContactInput & { kind: ContactKind }),
    token: async (email = ADMIN.email, password = ADMIN.password) => (await request(host.app!).post('/api/v1/auth/token').send({ email, password }).expect(201)).body.token as string,
    request: (user: CurrentUser, language: Language = 'en', query: Record<string, unknown> = {}) =>
      ({ user, language, t: i18n.fixedT(language), query, originalUrl: '/crm/contacts', get: () => undefined }) as unknown as Request,
  });
}
