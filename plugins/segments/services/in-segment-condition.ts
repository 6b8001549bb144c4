/**
 * The client-list condition "in segment": `?segment_id=3` on the list page and in
 * `GET /api/v1/contacts`, or `condition.segments.in-segment={"segment_id":3}`. Its SQL comes
 * from the segment index (members for a static segment, the compiled saved filter for a dynamic
 * one, the contributed source's SQL); the list query around it applies the access scope.
 */
import type { FilterCondition } from '../../crm/api.js';
import { PLAIN_PARAM, type SegmentIndex } from './segment-index.js';

export const inSegmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['segment_id'],
  properties: {
    // Wrapped in allOf so the list's filter form draws no "segment id" number input: segments are
    // picked in the Segments panel, and the form shows this condition only while it is in use.
    segment_id: { allOf: [{ type: 'integer', minimum: 1, maximum: 2_147_483_647 }], title: 'segments:filter.segment' },
  },
};

export function inSegmentCondition(index: () => SegmentIndex): FilterCondition {
  return {
    id: 'in-segment',
    title: 'segments:filter.title',
    right: 'crm.access',
    schema: inSegmentSchema,
    sql: (value, alias) => index().sql(Number(value.segment_id), alias),
    describe: (value, req) => {
      const id = Number(value.segment_id);
      const entry = index().entry(id);
      // Another user's personal segment keeps its name to itself.
      const visible = entry && (entry.shared || entry.ownerId === req.user?.id);
      return req.t('segments:filter.chip', { name: visible ? entry.name : `#${id}` });
    },
    param: { name: PLAIN_PARAM, value: (raw) => ({ segment_id: Number(raw[0]) }) },
  };
}
