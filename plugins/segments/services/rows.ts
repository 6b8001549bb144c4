/** Segment rows as read from the database, who may see and change them, and their API shape. */
import { HttpError, type CurrentUser, type FieldError } from '../../../host/api.js';
import { MANAGE_SHARED, type FilterParams, type Segment, type SegmentType } from '../api.js';
import { iso } from './sql.js';

export interface SegmentRow {
  id: number | string;
  name: string;
  color: string;
  type: SegmentType;
  filter: string | null;
  source_id: string | null;
  owner_id: number | string;
  owner_name?: string | null;
  shared: boolean | number | string;
  archived: boolean | number | string;
  version: number | string;
  created_at: string | Date;
  updated_at: string | Date;
}

export const SEGMENT_COLUMNS = 's.id, s.name, s.color, s.type, s.filter, s.source_id, s.owner_id, s.shared, s.archived, s.version, s.created_at, s.updated_at';

/** MariaDB gives 0/1 and SQLite may give "0"/"1" for booleans. */
export const truthy = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 'true';

export const notFound = () => new HttpError(404, 'not_found', 'host:errors.not_found');
export const forbidden = (key = 'segments:errors.not_editable') => new HttpError(403, 'forbidden', key);
export const invalid = (field: string, message: string, params?: Record<string, unknown>) =>
  new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field, code: 'invalid', message, params } satisfies FieldError]);

/** The owner sees a personal segment; everybody sees shared ones. */
export function canSee(user: CurrentUser, row: Pick<SegmentRow, 'owner_id' | 'shared'>): boolean {
  return truthy(row.shared) || Number(row.owner_id) === user.id;
}

/** Personal: its owner. Shared: holders of segments.manage_shared. */
export function canChange(user: CurrentUser, row: Pick<SegmentRow, 'owner_id' | 'shared'>): boolean {
  return truthy(row.shared) ? user.can(MANAGE_SHARED) : Number(row.owner_id) === user.id;
}

/** A stored JSON object, or null when there is none or it is damaged. */
export function parseJson(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function toSegment(row: SegmentRow, user: CurrentUser): Segment {
  const stored = parseJson(row.filter);
  return {
    id: Number(row.id),
    name: row.name,
    color: row.color,
    type: row.type,
    filter: row.type === 'dynamic' ? ((stored ?? {}) as FilterParams) : null,
    source: row.type === 'source' ? { id: row.source_id ?? '', params: stored ?? {} } : null,
    owner_id: Number(row.owner_id),
    owner_name: row.owner_name ?? null,
    shared: truthy(row.shared),
    archived: truthy(row.archived),
    editable: canChange(user, row),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
