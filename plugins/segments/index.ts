/**
 * Segments of the client base, as a plugin of the CRM: static lists of contacts and dynamic
 * segments (saved filters of the client list, including other plugins' conditions), and
 * segments defined by other plugins' sources (the CRM's `segmentSources`). Personal or shared,
 * archivable, counted inside the access scope. It contributes the `?segment_id=` list filter, the
 * Segments panel beside the list, the "add to / remove from segment" list actions, a card header
 * slot, its own pages and a REST API, and follows merges and purges through the CRM's events.
 */
import { ContainerModule, menuItems, type PluginContext } from '../../host/api.js';
import { contactDeleted, contactMerged, filterConditions, listActions, listPanels, profileHeaderSlots } from '../crm/api.js';
import { SegmentsTokens } from './api.js';
import { registerApi } from './routes/api.js';
import { headerSlot, registerCardSlot } from './routes/card-slot.js';
import { segmentActions } from './routes/list-actions.js';
import { registerPages } from './routes/pages.js';
import { registerPanel, segmentsPanel } from './routes/panel.js';
import { inSegmentCondition } from './services/in-segment-condition.js';
import { SegmentIndex, SegmentIndexToken } from './services/segment-index.js';
import { SegmentsImpl } from './services/segments-service.js';

export function register(ctx: PluginContext): void {
  const index = () => ctx.get<SegmentIndex>(SegmentIndexToken);
  const segments = () => ctx.get<SegmentsImpl>(SegmentsTokens.Segments);

  ctx.bind(
    new ContainerModule(({ bind }) => {
      bind(SegmentIndexToken).to(SegmentIndex).inSingletonScope();
      bind(SegmentsTokens.Segments).to(SegmentsImpl).inSingletonScope();
    }),
  );

  ctx.extend(filterConditions, inSegmentCondition(index));
  ctx.extend(listPanels, segmentsPanel(ctx));
  for (const action of segmentActions(ctx)) ctx.extend(listActions, action);
  ctx.extend(profileHeaderSlots, headerSlot(ctx));
  ctx.extend(menuItems, { id: 'segments', title: 'segments:menu', href: '/segments', icon: 'collection', order: 15, right: 'crm.access' });

  ctx.on(contactMerged, ({ fromId, intoId, transaction }) => segments().repoint(fromId, intoId, transaction));
  ctx.on(contactDeleted, async ({ id, purged }) => {
    if (purged) await segments().removeContact(id);
  });

  ctx.onStart(() => index().start());
  ctx.onStop(() => index().stop());

  registerPanel(ctx);
  registerPages(ctx);
  registerCardSlot(ctx);
  registerApi(ctx);
}
