/**
 * The public surface of the tags plugin, for plugins that list "tags" in their dependencies:
 * its service tokens and types. Tags are a shared vocabulary; which contacts carry them is read
 * and changed only inside the CRM's access scope.
 */
import type { Transaction } from 'sequelize';
import type { CurrentUser } from '../../host/api.js';

export const TagsTokens = {
  /** The vocabulary and its administration. */
  Tags: Symbol.for('tags.Tags'),
  /** Which contacts carry which tags, with history. */
  ContactTags: Symbol.for('tags.ContactTags'),
} as const;

export interface Tag {
  id: number;
  /** The first spelling ("VIP"); names are unique case-insensitively. */
  name: string;
  /** `#rrggbb`. */
  color: string;
  created_at: string;
}

export interface TagWithCount extends Tag {
  /** Contacts the caller may see that carry the tag (trash not counted). */
  count: number;
}

export interface TagsService {
  /** Every tag by name, with counts inside the user's access scope; `q` matches names by substring. */
  list(user: CurrentUser, options?: { q?: string; limit?: number }): Promise<TagWithCount[]>;
  /** Tags carried by at least one contact the user may see, most used first. */
  cloud(user: CurrentUser, limit?: number): Promise<TagWithCount[]>;
  get(id: number): Promise<Tag | null>;
  /** Creates a tag; 409 when the name exists in any case. */
  create(name: string, color?: string): Promise<Tag>;
  /** The tags of these names, created when missing (an existing tag keeps its spelling). */
  ensure(names: string[]): Promise<Tag[]>;
  /**
   * Renames and/or recolours. A new name that another tag already has merges this tag into it
   * (`merged` is then true and `tag` is the surviving one).
   */
  update(id: number, input: { name?: string; color?: string }, userId: number | null): Promise<{ tag: Tag; merged: boolean }>;
  /** Moves every contact of the source tags to `intoId` and deletes the sources (history per contact). */
  merge(sourceIds: number[], intoId: number, userId: number | null): Promise<{ tag: Tag; contacts: number }>;
  /** Deletes the tag and takes it off its contacts (history per contact). */
  remove(id: number, userId: number | null): Promise<{ contacts: number }>;
  /** Up to `limit` tags whose names start with or contain `text`, prefix matches first. */
  suggest(text: string, options?: { exclude?: number[]; limit?: number }): Promise<Tag[]>;
}

export interface ContactTagsService {
  /** Tags of many contacts in one query (no scope check: for contacts already loaded in scope). */
  forContacts(contactIds: number[]): Promise<Map<number, Tag[]>>;
  /** A contact's tags; 404 when the user may not see it. */
  ofContact(user: CurrentUser, contactId: number): Promise<Tag[]>;
  /** Adds a tag by name (created when new); 404 unless visible, 403 unless editable. */
  add(user: CurrentUser, contactId: number, name: string): Promise<{ tags: Tag[]; added: boolean }>;
  remove(user: CurrentUser, contactId: number, tagId: number): Promise<{ tags: Tag[]; removed: boolean }>;
  /** Mass actions: only contacts the user may edit are changed; history per changed contact. */
  addMany(user: CurrentUser, contactIds: number[], names: string[]): Promise<{ changed: number }>;
  removeMany(user: CurrentUser, contactIds: number[], names: string[]): Promise<{ changed: number }>;
  /** A merged contact's tags go to the surviving contact, inside the merge's transaction. */
  repoint(fromId: number, intoId: number, transaction: Transaction): Promise<void>;
  /** Forgets a purged contact's tags. */
  removeForContact(contactId: number): Promise<void>;
}
