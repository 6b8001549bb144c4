/**
 * The public surface of the access plugin: its service tokens and types, for plugins that list
 * "access" in their dependencies (a benchmark, an import that sets classes, ...). The rule itself
 * needs no import: the CRM applies it through its `crm.contact-class/v1` extension point.
 */
import type { CurrentUser } from '../../host/api.js';

export const AccessTokens = {
  Classes: Symbol.for('access.Classes'),
  Grants: Symbol.for('access.Grants'),
  GroupAccess: Symbol.for('access.GroupAccess'),
  ClassWriter: Symbol.for('access.ClassWriter'),
} as const;

export const ACCESS_LEVELS = ['view', 'edit'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export const RIGHTS = {
  manageClasses: 'access.classes.manage',
  staffView: 'access.staff.view',
  staffEdit: 'access.staff.edit',
} as const;

export interface ContactClass {
  id: number;
  name: string;
  /** `#rrggbb`, or null for the neutral grey. */
  color: string | null;
  sort: number;
}

export interface ClassInput {
  name?: string;
  color?: string | null;
  sort?: number;
}

export interface ClassesService {
  list(): Promise<ContactClass[]>;
  get(id: number): Promise<ContactClass | null>;
  create(input: ClassInput & { name: string }): Promise<ContactClass>;
  update(id: number, input: ClassInput): Promise<ContactClass>;
  /** Puts the classes in this order (ids not listed keep their place after them). */
  reorder(ids: number[]): Promise<void>;
  /** Deletes the class; its contacts become unclassified, with a history entry each. */
  remove(user: CurrentUser, id: number): Promise<{ unclassified: number }>;
}

/** What a group grants: a level per class id, and whether that is limited to the user's own clients. */
export interface GroupAccess {
  classes: Record<string, AccessLevel>;
  only_own: boolean;
}

/** A per-card grant: one named user or group may see (or edit) one contact. */
export interface ContactGrant {
  id: number;
  contact_id: number;
  user_id: number | null;
  user_name: string | null;
  group_id: number | null;
  group_name: string | null;
  level: AccessLevel;
  created_at: string;
}

export interface GrantInput {
  user_id?: number;
  group_id?: number;
  level: AccessLevel;
}

export interface GrantsService {
  /** The contact's grants; 404 when the user may not see the contact. */
  list(user: CurrentUser, contactId: number): Promise<ContactGrant[]>;
  /** Adds a grant (or changes the level of the principal's existing one); needs edit access to the contact. */
  add(user: CurrentUser, contactId: number, input: GrantInput): Promise<{ grant: ContactGrant; created: boolean }>;
  remove(user: CurrentUser, contactId: number, grantId: number): Promise<void>;
}
