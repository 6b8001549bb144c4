/** Which currency a contact is invoiced in, judged by the country of their phone or their domain. */
import type { Contact } from '../../crm/api.js';

/** The currency a contact would be invoiced in. */
export function currencyOf(contact: Pick<Contact, 'phones' | 'domains' | 'emails'>): string {
  const phone = contact.phones[0]?.value.replace(/\s/g, '') ?? '';
  if (phone.startsWith('+48')) return 'PLN';
  if (phone.startsWith('+380')) return 'UAH';
  if (phone.startsWith('+7')) return 'RUB';
  if (phone.startsWith('+44')) return 'GBP';
  if (phone.startsWith('+1')) return 'USD';
  const host = contact.domains[0] ?? contact.emails[0]?.value.split('@')[1] ?? '';
  if (/\.pl$/.test(host)) return 'PLN';
  if (/\.ua$/.test(host)) return 'UAH';
  if (/\.ru$/.test(host)) return 'RUB';
  if (/\.uk$/.test(host)) return 'GBP';
  return host.endsWith('.com') ? 'USD' : 'EUR';
}
