/**
 * The card's header: name, avatar, kind, status (a dropdown for editors), responsible user,
 * main email and phone, company or payer, and the header actions other plugins contribute.
 */
import type { Request } from 'express';
import Handlebars from 'handlebars';
import { profileActions, profileHeaderSlots, type Contact } from '../api.js';
import { avatarHue, initials, mainChannel, safeColor, telHref, textOn, type CardLookups, type CompanyRef } from './card-format.js';
import type { CardServices } from './card-support.js';
import type { TabHeader } from '../services/profile-tabs.js';

export interface Badge {
  id: number | null;
  label: string;
  bg: string;
  fg: string;
}

export function statusBadge(l: CardLookups, id: number | null): Badge | null {
  const item = id ? l.item(id) : null;
  if (!item) return null;
  const bg = safeColor(item.color) ?? '#6c757d';
  return { id: item.id, label: l.itemLabel(item), bg, fg: textOn(bg) };
}

/** DOM-safe id of a tab key (`orders.orders` -> `orders-orders`). */
export const domKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

export interface CardPermissions {
  canEdit: boolean;
  canDelete: boolean;
  canPurge: boolean;
}

export async function permissions(s: CardServices, req: Request, contact: Contact): Promise<CardPermissions> {
  const u = req.user!;
  return {
    canEdit: !contact.deleted_at && (await s.scope.canEdit(u, contact.id)),
    canDelete: u.can('crm.contacts.delete'),
    canPurge: u.can('crm.trash.purge'),
  };
}

/** A header slot gets this long before the card is drawn without it. */
export const SLOT_TIMEOUT_MS = 1500;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * The pieces other plugins draw in the header (tags, access class...). Each is HTML the
 * contributing plugin rendered with its own escaping view, like a tab body; one that throws or
 * hangs is left out (counted with the plugin's tab failures) and the card still renders.
 */
async function headerSlots(s: CardServices, req: Request, contact: Contact) {
  const slots = s.extensions.list(profileHeaderSlots, req.user);
  const rendered = await Promise.allSettled(slots.map((slot) => withTimeout(Promise.resolve().then(() => slot.render(contact, req)), SLOT_TIMEOUT_MS)));
  return slots.map((slot, i) => {
    const r = rendered[i]!;
    if (r.status === 'rejected') {
      s.tabs.failures.set(slot.pluginId, (s.tabs.failures.get(slot.pluginId) ?? 0) + 1);
      s.logger.error({ plugin: slot.pluginId, slot: slot.id, err: r.reason }, 'profile header slot failed');
    }
    return {
      key: `${slot.pluginId}.${slot.id}`,
      failed: r.status === 'rejected',
      html: r.status === 'fulfilled' ? new Handlebars.SafeString(String(r.value ?? '')) : null,
    };
  });
}

export async function headerModel(s: CardServices, req: Request, contact: Contact, l: CardLookups, perms: CardPermissions) {
  const email = mainChannel(contact.emails);
  const phone = mainChannel(contact.phones);
  const link = contact.kind === 'person' ? contact.company_id : contact.buyer_id;
  const company: CompanyRef | null = link ? await l.company(link) : null;
  const responsible = contact.responsible_id ? l.user(contact.responsible_id) : null;
  const statuses = l.dictionary
    .filter((i) => i.dictionary === 'status' && (i.active || i.id === contact.status_id))
    .map((i) => ({ ...statusBadge(l, i.id)!, current: i.id === contact.status_id }));
  const actions = s.extensions
    .list(profileActions, req.user)
    .filter((a) => {
      try {
        return !a.applies || a.applies(contact);
      } catch {
        return false; // a broken plugin loses its button, not the card
      }
    })
    .flatMap((a) => {
      try {
        const href = a.href(contact);
        return /^(\/|https?:\/\/)/.test(href) ? [{ key: `${a.pluginId}.${a.id}`, title: req.t(a.title), icon: a.icon ?? null, href }] : [];
      } catch {
        return [];
      }
    });
  return {
    id: contact.id,
    name: contact.name,
    kind: contact.kind,
    jobTitle: contact.job_title,
    version: contact.version,
    deleted: Boolean(contact.deleted_at),
    photoUrl: contact.photo_url,
    initials: initials(contact),
    hue: avatarHue(contact.id),
    status: statusBadge(l, contact.status_id),
    statuses,
    responsible: responsible ? responsible.name : null,
    email: email?.value ?? null,
    phone: phone ? { text: phone.value, href: telHref(phone.value) } : null,
    company,
    companyIsPayer: contact.kind === 'company',
    slots: await headerSlots(s, req, contact),
    actions,
    ...perms,
  };
}

export type HeaderModel = Awaited<ReturnType<typeof headerModel>>;

export function tabViews(contactId: number, headers: TabHeader[]) {
  return headers.map((h, i) => ({
    ...h,
    dom: domKey(h.key),
    first: i === 0,
    src: `/crm/contacts/${contactId}/tabs/${encodeURIComponent(h.plugin)}/${encodeURIComponent(h.id)}`,
  }));
}
