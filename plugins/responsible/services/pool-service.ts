/**
 * The pool of free clients: claiming one makes the caller its responsible through the CRM's
 * contacts service (scope, rights, version check, history). Two managers claiming the same
 * client at once: the version lets one through and the other gets "already claimed by …".
 */
import { HttpError, TOKENS, inject, injectable, type CurrentUser, type UsersService } from '../../../host/api.js';
import { CrmTokens, type Contact, type ContactsService } from '../../crm/api.js';
import { RIGHTS, type PoolService } from '../api.js';

const isHttp = (err: unknown, status: number): err is HttpError => err instanceof HttpError && err.status === status;

@injectable()
export class PoolServiceImpl implements PoolService {
  constructor(
    @inject(TOKENS.Users) private readonly users: UsersService,
    @inject(CrmTokens.Contacts) private readonly contacts: ContactsService,
  ) {}

  private async taken(contact: Contact): Promise<HttpError> {
    const owner = contact.responsible_id === null ? null : await this.users.get(contact.responsible_id);
    return new HttpError(409, 'conflict', 'responsible:errors.already_claimed', { responsible_id: contact.responsible_id }, { name: contact.name, owner: owner?.name ?? '' });
  }

  async claim(user: CurrentUser, contactId: number, version?: number): Promise<Contact> {
    if (!user.can(RIGHTS.claim)) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
    const contact = await this.contacts.get(user, contactId);
    if (contact.responsible_id === user.id) return contact;
    if (contact.responsible_id !== null) throw await this.taken(contact);
    if (version !== undefined && version !== contact.version) {
      throw new HttpError(409, 'conflict', 'responsible:errors.changed', { current: { version: contact.version, responsible_id: null } }, { name: contact.name });
    }
    try {
      return await this.contacts.update(user, contactId, { responsible_id: user.id }, contact.version);
    } catch (err) {
      if (isHttp(err, 409)) {
        // Somebody wrote between our read and our write: most likely a claim of their own.
        const now = await this.contacts.get(user, contactId);
        if (now.responsible_id === user.id) return now;
        if (now.responsible_id !== null) throw await this.taken(now);
        throw new HttpError(409, 'conflict', 'responsible:errors.changed', { current: { version: now.version, responsible_id: null } }, { name: now.name });
      }
      if (isHttp(err, 403)) throw new HttpError(403, 'forbidden', 'responsible:errors.not_editable', undefined, { name: contact.name });
      throw err;
    }
  }
}
