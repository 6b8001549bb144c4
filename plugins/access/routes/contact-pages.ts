/**
 * The card's access panel and its forms: `GET /access/contacts/:id` (a page of its own, for links
 * and browsers without JavaScript), `GET /access/contacts/:id/panel` (the fragment the card's
 * header loads into its dropdown), and the posts that change the class and the per-card grants.
 * With htmx a post answers the refreshed panel; without, it redirects back to the page.
 */
import type { Request, Response } from 'express';
import { TOKENS, type PluginContext, type ViewRenderer } from '../../../host/api.js';
import { CrmTokens, type Contact, type ContactsService } from '../../crm/api.js';
import { AccessTokens, ACCESS_LEVELS, type AccessLevel, type GrantsService } from '../api.js';
import { positiveId } from '../services/errors.js';
import { panelModel, type PanelOptions } from './panel-model.js';
import { formBody, formErrors, isHtmx, pathId, redirectWithFlash, text } from './support.js';

export function registerContactPages(ctx: PluginContext): void {
  const views = () => ctx.get<ViewRenderer>(TOKENS.Views);
  const contacts = () => ctx.get<ContactsService>(CrmTokens.Contacts);
  const grants = () => ctx.get<GrantsService>(AccessTokens.Grants);
  const pageUrl = (id: number) => `/access/contacts/${id}`;

  /** The visible contact, trashed ones included (the panel says so), or 404. */
  const load = (req: Request) => contacts().get(req.user!, pathId(req), { withDeleted: true });

  const sendPanel = async (req: Request, res: Response, contact: Contact, options: PanelOptions = {}, status = 200, trigger?: Record<string, unknown>) => {
    if (trigger) res.set('HX-Trigger', JSON.stringify(trigger));
    res.status(status).type('html').send(await views().renderPartial(req, 'access/partials/panel', await panelModel(ctx, req, contact, options)));
  };

  ctx.route({
    method: 'get',
    path: '/contacts/:id',
    right: 'crm.access',
    handler: async (req, res) => {
      const contact = await load(req);
      res.type('html').send(
        await views().renderPage(req, 'access/contact', {
          title: req.t('access:panel.title'),
          contact: { id: contact.id, name: contact.name },
          panel: await panelModel(ctx, req, contact),
        }),
      );
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts/:id/panel',
    right: 'crm.access',
    handler: async (req, res) => sendPanel(req, res, await load(req)),
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/class',
    right: 'crm.contacts.edit',
    handler: async (req, res) => {
      const contact = await contacts().get(req.user!, pathId(req));
      const body = formBody(req);
      const raw = text(body.class_id).trim();
      const classId = raw === '' ? null : (positiveId(raw) ?? -1);
      const version = positiveId(body.version) ?? contact.version;
      try {
        const updated = await contacts().update(req.user!, contact.id, { class_id: classId }, version);
        if (!isHtmx(req)) return redirectWithFlash(req, res, 'success', req.t('access:panel.class_saved'), pageUrl(contact.id));
        const trigger = updated.version !== version ? { 'crm:changed': { version: updated.version, from: version, field: 'class_id' } } : undefined;
        // The contact may have left the user's sight with its new class: then the panel just says so.
        const visible = await contacts().get(req.user!, contact.id).catch(() => null);
        if (!visible) return res.set('HX-Trigger', JSON.stringify(trigger ?? {})).type('html').send(await views().renderPartial(req, 'access/partials/gone', { id: contact.id }));
        return sendPanel(req, res, visible, { alert: { type: 'success', text: req.t('access:panel.class_saved') } }, 200, trigger);
      } catch (err) {
        const { status, errors } = formErrors(err);
        const text409 = status === 409 ? req.t('access:panel.conflict') : null;
        if (!isHtmx(req)) return redirectWithFlash(req, res, 'danger', text409 ?? req.t(errors[0]!.message, errors[0]!.params ?? {}), pageUrl(contact.id));
        const current = await contacts().get(req.user!, contact.id);
        return sendPanel(req, res, current, { errors, alert: text409 ? { type: 'warning', text: text409 } : null }, status);
      }
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/grants',
    right: 'crm.contacts.edit',
    handler: async (req, res) => {
      const contact = await contacts().get(req.user!, pathId(req));
      const body = formBody(req);
      const principal = text(body.principal);
      const level = (ACCESS_LEVELS as readonly string[]).includes(text(body.level)) ? (text(body.level) as AccessLevel) : 'view';
      const match = /^(u|g):(\d{1,15})$/.exec(principal);
      try {
        const input = match ? { [match[1] === 'u' ? 'user_id' : 'group_id']: Number(match[2]), level } : { level };
        await grants().add(req.user!, contact.id, input);
        if (!isHtmx(req)) return redirectWithFlash(req, res, 'success', req.t('access:panel.grant_added'), pageUrl(contact.id));
        return sendPanel(req, res, contact, { alert: { type: 'success', text: req.t('access:panel.grant_added') } });
      } catch (err) {
        const { status, errors } = formErrors(err);
        const message = req.t('access:errors.pick_principal');
        if (!isHtmx(req)) return redirectWithFlash(req, res, 'danger', message, pageUrl(contact.id));
        return sendPanel(req, res, contact, { errors: errors.map((e) => ({ ...e, field: 'principal', message: 'access:errors.pick_principal' })), posted: { principal, level } }, status);
      }
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/grants/:grantId/delete',
    right: 'crm.contacts.edit',
    handler: async (req, res) => {
      const contact = await contacts().get(req.user!, pathId(req));
      await grants().remove(req.user!, contact.id, pathId(req, 'grantId'));
      if (!isHtmx(req)) return redirectWithFlash(req, res, 'success', req.t('access:panel.grant_removed'), pageUrl(contact.id));
      const visible = await contacts().get(req.user!, contact.id).catch(() => null);
      if (!visible) return res.type('html').send(await views().renderPartial(req, 'access/partials/gone', { id: contact.id }));
      return sendPanel(req, res, visible, { alert: { type: 'success', text: req.t('access:panel.grant_removed') } });
    },
  });
}
