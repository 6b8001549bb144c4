/**
 * The public surface of the kanban plugin: the board as data (columns per status with their
 * first cards and totals, inside the caller's access scope) and moving a card between columns.
 */
import type { CurrentUser } from '../../host/api.js';
import type { Contact, ContactKind } from '../crm/api.js';

export const KanbanTokens = {
  Board: Symbol.for('kanban.Board'),
} as const;

/** Cards shown per column; the rest are one "show all" link away in the client list. */
export const CARDS_PER_COLUMN = 100;

/** The list filters the board takes (same names and meaning as the client list's). */
export interface BoardFilters {
  q?: string;
  kind?: ContactKind;
  /** Responsible users; 0 stands for "unassigned". */
  responsible_id?: number[];
}

export interface BoardCard {
  id: number;
  kind: ContactKind;
  name: string;
  /** The company a person works at (only one the caller may see). */
  company: string | null;
  responsible: { id: number; name: string } | null;
  /** The main (primary, else first) email and phone. */
  email: string | null;
  phone: string | null;
  version: number;
}

export interface BoardColumn {
  /** null for the "No status" column. */
  status_id: number | null;
  /** The status's name in the caller's language (null for "No status"). */
  name: string | null;
  color: string | null;
  /** Contacts in the column within the filters and the scope (`capped`: "more than"). */
  total: number;
  capped: boolean;
  /** The most recently changed first, at most CARDS_PER_COLUMN. */
  cards: BoardCard[];
}

export interface BoardService {
  /** One column per active status, in the statuses' order, then "No status". */
  board(user: CurrentUser, filters: BoardFilters, language: string): Promise<BoardColumn[]>;
  /**
   * Moves a card: sets the contact's status (null: none) through the CRM, which checks the
   * version, the right to edit and the scope, and writes history. 409 `kanban:errors.stale`
   * with `details.current` {status_id, version} when somebody changed the contact meanwhile.
   */
  move(user: CurrentUser, contactId: number, statusId: number | null, version: number): Promise<Contact>;
}
