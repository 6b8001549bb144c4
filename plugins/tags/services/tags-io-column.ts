/**
 * Tags in import and export files: a cell lists tag names separated by commas or semicolons.
 * Export looks up the tags of a page's contacts itself (the contacts need no more than their ids,
 * so the export stays on its lean path); import creates missing tags and adds the
 * named ones to the contacts just written, inside the import's transaction, with history, and tells
 * which tags each contact did not have before, so that undoing the import takes exactly those off.
 */
import type { Sequelize } from 'sequelize';
import { TOKENS, type PluginContext } from '../../../host/api.js';
import type { IoColumn } from '../../crm/api.js';
import { TagsTokens } from '../api.js';
import type { ContactTagsImpl } from './contact-tags.js';
import { distinctNames, foldName, nameProblem } from './names.js';
import { ensureTags } from './vocabulary.js';

export const splitTagCell = (value: string): string[] => distinctNames(value.split(/[,;]/).map((n) => n.trim()).filter(Boolean));

export function tagsIoColumn(ctx: PluginContext): IoColumn {
  const contactTags = () => ctx.get<ContactTagsImpl>(TagsTokens.ContactTags);
  return {
    id: 'tags',
    title: 'tags:column.title',
    aliases: ['tags', 'tag', 'labels', 'tagi', 'etykiety', 'теги', 'тег', 'метки', 'мітки', 'теґи'],
    reads: [],
    // One query for the page, as the tags enricher makes for the contact loader.
    async values(contacts) {
      const tags = await contactTags().forContacts(contacts.map((c) => c.id));
      return new Map(contacts.map((c) => [c.id, (tags.get(c.id) ?? []).map((t) => t.name).join(', ')]));
    },
    async validate(value) {
      for (const name of splitTagCell(value)) {
        const problem = nameProblem(name);
        if (problem) return problem;
      }
      return null;
    },
    async apply(rows, { userId, transaction }) {
      const names = rows.map((r) => splitTagCell(r.value));
      const tags = new Map((await ensureTags(ctx.get<Sequelize>(TOKENS.Database), names.flat())).map((t) => [foldName(t.name), t]));
      // Contacts with the same set of tags change together: one history entry per contact.
      const groups = new Map<string, { ids: number[]; names: string[] }>();
      rows.forEach((r, i) => {
        const key = names[i]!.map(foldName).sort().join(',');
        if (!key) return;
        const group = groups.get(key) ?? { ids: [], names: names[i]! };
        group.ids.push(r.contactId);
        groups.set(key, group);
      });
      const added: Array<[number, number]> = [];
      for (const group of groups.values()) {
        const add = group.names.map((n) => tags.get(foldName(n))).filter((t) => t !== undefined);
        await contactTags().change([...new Set(group.ids)], add, [], userId, transaction, added);
      }
      const byContact = new Map<number, number[]>();
      for (const [contactId, tagId] of added) {
        const tagIds = byContact.get(contactId);
        if (tagIds) tagIds.push(tagId);
        else byContact.set(contactId, [tagId]);
      }
      return byContact;
    },
    async revert(rows, { userId, transaction }) {
      // Contacts that lose the same tags change together: one history entry per contact.
      const groups = new Map<string, { ids: number[]; tagIds: number[] }>();
      for (const { contactId, data } of rows) {
        const tagIds = Array.isArray(data) ? [...new Set(data.filter((id): id is number => Number.isSafeInteger(id)))].sort((a, b) => a - b) : [];
        if (!tagIds.length) continue;
        const key = tagIds.join(',');
        const group = groups.get(key) ?? { ids: [], tagIds };
        group.ids.push(contactId);
        groups.set(key, group);
      }
      for (const group of groups.values()) await contactTags().change(group.ids, [], group.tagIds, userId, transaction);
    },
  };
}
