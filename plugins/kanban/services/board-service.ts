/**
 * The board: one column per active status plus "No status", each the first cards of the client
 * list filtered by that status (most recently changed first) with the column's total. Every
 * read goes through the CRM's query service, so the access scope and the list filters apply as
 * they do on the list. Moving a card is a status change through the CRM's contacts service.
 */
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type CurrentUser, type UsersService } from '../../../host/api.js';
import { CrmTokens, type Contact, type ContactQueryService, type ContactScope, type ContactsService, type ListQuery } from '../../crm/api.js';
import { CARDS_PER_COLUMN, type BoardCard, type BoardColumn, type BoardFilters, type BoardService } from '../api.js';
import { companyNames, companyOf, mainChannel } from './card-lookups.js';
import { statusLabel, type StatusDictionary } from './statuses.js';

const isHttp = (err: unknown, status: number): err is HttpError => err instanceof HttpError && err.status === status;

@injectable()
export class BoardServiceImpl implements BoardService {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Users) private readonly users: UsersService,
    @inject(CrmTokens.ContactQuery) private readonly query: ContactQueryService,
    @inject(CrmTokens.Contacts) private readonly contacts: ContactsService,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.Dictionaries) private readonly dictionaries: StatusDictionary,
  ) {}

  async board(user: CurrentUser, filters: BoardFilters, language: string): Promise<BoardColumn[]> {
    const statuses = await this.dictionaries.list('status');
    const base: ListQuery = { ...filters, limit: CARDS_PER_COLUMN, sort: 'updated_at', order: 'desc' };
    const columns: Array<Pick<BoardColumn, 'status_id' | 'name' | 'color'>> = [
      ...statuses.map((s) => ({ status_id: s.id, name: statusLabel(s, language), color: s.color })),
      { status_id: null, name: null, color: null },
    ];
    // One list query per column, side by side: each is the list's own query with its indexes.
    const results = await Promise.all(columns.map((c) => this.query.list(user, { ...base, status_id: [c.status_id ?? 0] })));
    const all = results.flatMap((r) => r.items);
    const [people, companies] = await Promise.all([this.users.list(), companyNames(this.db, this.scope, user, all)]);
    const names = new Map(people.map((u) => [u.id, u.name]));
    const card = (c: Contact): BoardCard => ({
      id: c.id,
      kind: c.kind,
      name: c.name,
      company: companyOf(c, companies),
      responsible: c.responsible_id === null ? null : { id: c.responsible_id, name: names.get(c.responsible_id) ?? `#${c.responsible_id}` },
      email: mainChannel(c.emails),
      phone: mainChannel(c.phones),
      version: c.version,
    });
    return columns.map((c, i) => ({ ...c, total: results[i]!.total ?? results[i]!.items.length, capped: results[i]!.total_capped, cards: results[i]!.items.map(card) }));
  }

  async move(user: CurrentUser, contactId: number, statusId: number | null, version: number): Promise<Contact> {
    try {
      return await this.contacts.update(user, contactId, { status_id: statusId }, version);
    } catch (err) {
      if (isHttp(err, 409) && err.details && 'current' in err.details) {
        const current = err.details.current as Contact;
        throw new HttpError(409, 'conflict', 'kanban:errors.stale', { current: { status_id: current.status_id, version: current.version } }, { name: current.name });
      }
      if (isHttp(err, 403)) {
        const contact = await this.contacts.get(user, contactId);
        throw new HttpError(403, 'forbidden', 'kanban:errors.not_editable', undefined, { name: contact.name });
      }
      throw err;
    }
  }
}
