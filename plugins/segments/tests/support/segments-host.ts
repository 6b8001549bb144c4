/** A test host with every plugin of the project, the segments plugin's services and a test-only access rule and segment source (fixtures/segments-probe). */
import path from 'node:path';
import type { Request } from 'express';
import request from 'supertest';
import { TOKENS, type CurrentUser, type I18nService, type Language, type PluginManager, type UsersService } from '../../../../host/api.js';
import { ADMIN, createTestHost, ROOT, type TestHost } from '../../../../tests/support/test-host.js';
import { CrmTokens, type Contact, type ContactInput, type ContactKind, type ContactQueryService, type ContactsService } from '../../../crm/api.js';
import { SegmentsTokens } from '../../api.js';
import { SegmentIndexToken, type SegmentIndex } from '../../services/segment-index.js';
import type { SegmentsImpl } from '../../services/segments-service.js';

export interface SegmentsTestHost extends TestHost {
  contacts: ContactsService;
  query: ContactQueryService;
  segments: SegmentsImpl;
  index: SegmentIndex;
  admin: CurrentUser;
  asUser(id: number): Promise<CurrentUser>;
  /** A contact created by the admin. */
  contact(input?: Partial<ContactInput> & { kind?: ContactKind }): Promise<Contact>;
  /** A bearer token for the API. */
  token(email?: string, password?: string): Promise<string>;
  /** What a route handler gets as `req` for rendering on behalf of `user`. */
  request(user: CurrentUser, query?: Record<string, unknown>, language?: Language): Request;
  /** Whether a plugin of the project is loaded and enabled (the orders app may not be there yet). */
  enabled(pluginId: string): boolean;
}

let people = 0;

export async function createSegmentsTestHost(): Promise<SegmentsTestHost> {
  const host = await createTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), path.join(import.meta.dirname, '..', 'fixtures')] });
  const get = <T>(token: symbol) => host.services.get<T>(token);
  const users = get<UsersService>(TOKENS.Users);
  const admin = (await users.currentUser((await users.findByEmail(ADMIN.email))!.id))!;
  const contacts = get<ContactsService>(CrmTokens.Contacts);
  const i18n = get<I18nService>(TOKENS.I18n);
  return Object.assign(host, {
    contacts,
    query: get<ContactQueryService>(CrmTokens.ContactQuery),
    segments: get<SegmentsImpl>(SegmentsTokens.Segments),
    index: get<SegmentIndex>(SegmentIndexToken),
    admin,
    asUser: async (id: number) => (await users.currentUser(id))!,
    contact: (input: Partial<ContactInput> & { kind?: ContactKind } = {}) =>
      contacts.create(admin, { kind: 'person', first_name: 'Person', last_name: String(++people), ...input } as ContactInput & { kind: ContactKind }),
    token: async (email = ADMIN.email, password = ADMIN.password) => (await request(host.app!).post('/api/v1/auth/token').send({ email, password }).expect(201)).body.token as string,
    request: (user: CurrentUser, query: Record<string, unknown> = {}, language: Language = 'en') => {
      const search = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => ([] as unknown[]).concat(v).map((x): [string, string] => [k, String(x)]))).toString();
      return { user, language, t: i18n.fixedT(language), query, originalUrl: `/crm/contacts${search ? `?${search}` : ''}`, get: () => undefined } as unknown as Request;
    },
    enabled: (pluginId: string) => get<PluginManager>(TOKENS.Plugins).isEnabled(pluginId),
  });
}
