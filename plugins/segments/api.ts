/**
 * The public surface of the segments plugin, for plugins that list "segments" in their
 * dependencies (exports, mailings): its service token and types. A segment is a group of
 * contacts — a static list, a saved filter of the client list (dynamic), or a set another plugin
 * contributes through the CRM's `segmentSources` — and every use of it runs inside the caller's
 * access scope.
 */
import type { CurrentUser } from '../../host/api.js';
import type { ListQuery, ListResult } from '../crm/api.js';

export const SegmentsTokens = {
  Segments: Symbol.for('segments.Segments'),
} as const;

/** The right to create, change and fill shared segments. */
export const MANAGE_SHARED = 'segments.manage_shared';

/** The client-list condition of a segment: `condition.segments.in-segment={"segment_id": 3}`, or `?segment_id=3`. */
export const IN_SEGMENT = 'segments.in-segment';

export const SEGMENT_TYPES = ['static', 'dynamic', 'source'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

/** Filter parameters as `/crm/contacts` and `GET /api/v1/contacts` take them (`q`, `status_id`, `custom.<key>`, `condition.<plugin>.<id>`...). */
export type FilterParams = Record<string, string | string[]>;

export interface Segment {
  id: number;
  name: string;
  /** `#rrggbb`. */
  color: string;
  type: SegmentType;
  /** Dynamic segments: the saved filter. */
  filter: FilterParams | null;
  /** Source segments: the contributed source (`<pluginId>.<id>`) and its parameters. */
  source: { id: string; params: Record<string, unknown> } | null;
  owner_id: number;
  owner_name: string | null;
  /** Seen by every user; changed only with `segments.manage_shared`. Otherwise only its owner sees it. */
  shared: boolean;
  archived: boolean;
  /** Whether the caller may change it (and, for a static one, its members). */
  editable: boolean;
  created_at: string;
  updated_at: string;
}

export interface SegmentCount {
  total: number;
  /** True when the total is capped like the client list's ("more than N"). */
  capped: boolean;
}

export interface SegmentInput {
  name?: string;
  color?: string;
  shared?: boolean;
  archived?: boolean;
  /** Dynamic: filter parameters; values may be strings, numbers, booleans, lists, or objects for `condition.*`. */
  filter?: Record<string, unknown>;
  /** Source: `{id: "<pluginId>.<sourceId>", params}`. */
  source?: { id: string; params?: Record<string, unknown> };
}

export interface SegmentsService {
  /** The caller's own segments and the shared ones, by name; archived ones only when asked. */
  list(user: CurrentUser, options?: { archived?: boolean | 'all' }): Promise<Segment[]>;
  /** 404 for a segment the user may not see (another user's personal one). */
  get(user: CurrentUser, id: number): Promise<Segment>;
  create(user: CurrentUser, input: SegmentInput & { name: string; type: SegmentType; contact_ids?: number[] }): Promise<Segment>;
  update(user: CurrentUser, id: number, input: SegmentInput): Promise<Segment>;
  remove(user: CurrentUser, id: number): Promise<void>;
  /** Contacts of the segment the user may see (trash not counted). */
  count(user: CurrentUser, id: number): Promise<SegmentCount>;
  /** The segment as a query of the CRM's query service (exports, mailings): run it with the same user. */
  listQuery(user: CurrentUser, id: number): Promise<ListQuery>;
  /** A page of the segment's contacts through the CRM's query service. */
  contacts(user: CurrentUser, id: number, page?: Pick<ListQuery, 'limit' | 'cursor' | 'sort' | 'order'>): Promise<ListResult>;
  /** Static segments: adds contacts the user may see (others are skipped); `changed` counts new members. */
  addMembers(user: CurrentUser, id: number, contactIds: number[]): Promise<{ changed: number }>;
  removeMembers(user: CurrentUser, id: number, contactIds: number[]): Promise<{ changed: number }>;
  /** Static segments the user may see that hold the contact; 404 when the contact is not visible. */
  ofContact(user: CurrentUser, contactId: number): Promise<Segment[]>;
}
