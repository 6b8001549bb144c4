/** A test host with the CRM, the orders app and a test-only "see only your own contacts" rule. */
import path from 'node:path';
import type { Request } from 'express';
import { TOKENS, type CurrentUser, type EventBus, type I18nService, type Language, type UsersService } from '../../../../host/api.js';
import { createTestHost, ROOT, type TestHost } from '../../../../tests/support/test-host.js';
import { CrmTokens, type Contact, type ContactInput, type ContactKind, type ContactQueryService, type ContactsService } from '../../../crm/api.js';
import { OrdersTokens, type OrdersService } from '../../api.js';

/** The CRM's tab service as this plugin sees it through the container (its class is the CRM's own). */
export interface TabHeader {
  key: string;
  plugin: string;
  id: string;
  title: string;
  count: number | null;
  failed: boolean;
}
export interface ProfileTabs {
  headers(contact: Contact, req: Request, timeoutMs?: number): Promise<TabHeader[]>;
  body(contact: Contact, req: Request, pluginId: string, tabId: string): Promise<string | null>;
}

export interface OrdersTestHost extends TestHost {
  contacts: ContactsService;
  query: ContactQueryService;
  orders: OrdersService;
  tabs: ProfileTabs;
  events: EventBus;
  admin: CurrentUser;
  asUser(id: number): Promise<CurrentUser>;
  /** A contact created by the admin, responsible user optional. */
  contact(input: Partial<ContactInput> & { kind?: ContactKind }): Promise<Contact>;
  /** What a route handler gets as `req` for rendering on behalf of `user`. */
  request(user: CurrentUser, language?: Language): Request;
}

export async function createOrdersTestHost(): Promise<OrdersTestHost> {
  const host = await createTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), path.join(import.meta.dirname, '..', 'fixtures')] });
  const get = <T>(token: symbol) => host.services.get<T>(token);
  const users = get<UsersService>(TOKENS.Users);
  const admin = (await users.currentUser((await users.findByEmail('admin@example.com'))!.id))!;
  const contacts = get<ContactsService>(CrmTokens.Contacts);
  const i18n = get<I18nService>(TOKENS.I18n);
  return Object.assign(host, {
    contacts,
    query: get<ContactQueryService>(CrmTokens.ContactQuery),
    orders: get<OrdersService>(OrdersTokens.Orders),
    tabs: get<ProfileTabs>(CrmTokens.ProfileTabs),
    events: get<EventBus>(TOKENS.Events),
    admin,
    asUser: async (id: number) => (await users.currentUser(id))!,
    contact: (input: Partial<ContactInput> & { kind?: ContactKind }) =>
      contacts.create(admin, { kind: 'person', ...input } as ContactInput & { kind: ContactKind }),
    request: (user: CurrentUser, language: Language = 'en') =>
      ({ user, language, t: i18n.fixedT(language), originalUrl: '/crm/contacts', get: () => undefined }) as unknown as Request,
  });
}
