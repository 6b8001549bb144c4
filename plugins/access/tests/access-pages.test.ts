/** The access plugin's screens: the classes admin page, the group form's section, the card's header slot and its "who can see" panel. */
import { expect } from 'chai';
import type { Request } from 'express';
import { TOKENS, type ExtensionRegistry, type I18nService } from '../../../host/api.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import { profileHeaderSlots, type Contact } from '../../crm/api.js';
import { createAccessTestHost, type AccessTestHost } from './support/access-host.js';

describe('Access pages', function () {
  this.timeout(60_000);
  let host: AccessTestHost;
  let north: number;
  let south: number;

  before(async () => {
    host = await createAccessTestHost();
    north = (await host.classes.create({ name: 'North', color: '#0d6efd' })).id;
    south = (await host.classes.create({ name: 'South', color: '#ffc107' })).id;
  });
  after(() => host.dispose());

  describe('the classes admin page', () => {
    it('lists the classes with their colour, client count and the groups they open to, in the admin menu', async () => {
      await host.group('North sales', { classes: { [north]: 'edit' }, onlyOwn: true });
      await host.contact({ first_name: 'Counted', class_id: north });
      const agent = await host.login();
      const page = await agent.get('/access/classes').expect(200);
      expect(page.text).to.contain('href="/access/classes"'); // the admin sidebar entry
      expect(page.text).to.match(/background-color: #0d6efd; color: #ffffff" data-testid="class-name">North</);
      expect(page.text).to.match(/background-color: #ffc107; color: #212529" data-testid="class-name">South</);
      expect(page.text).to.contain('1 client').and.contain('North sales').and.contain('Edit, only their own clients');
      expect(page.text).to.contain('/assets/p/access/classes.js');
    });

    it('adds, renames and deletes a class through its forms, showing errors beside the field', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, '/access/classes');
      const created = await agent.post('/access/classes').type('form').send({ _csrf: csrf, name: 'Service', color: '#6f42c1' });
      expect([created.status, created.headers.location]).to.deep.equal([303, '/access/classes']);
      expect((await agent.get('/access/classes')).text).to.contain('The class “Service” is created.');
      const service = (await host.classes.list()).find((c) => c.name === 'Service')!;
      expect(service.color).to.equal('#6f42c1');

      const dup = await agent.post('/access/classes').type('form').send({ _csrf: csrf, name: 'north', color: '#000000' });
      expect(dup.status).to.equal(409);
      expect(dup.text).to.contain('is-invalid').and.contain('A class named “north” already exists.').and.contain('value="north"');

      const form = await agent.get(`/access/classes/${service.id}`).expect(200);
      expect(form.text).to.contain(`action="/access/classes/${service.id}"`).and.contain('value="Service"');
      await agent.get('/access/classes/999999').expect(404);
      await agent.post(`/access/classes/${service.id}`).type('form').send({ _csrf: csrf, name: 'After-sales', color: '#6f42c1' }).expect(303);
      expect((await host.classes.get(service.id))!.name).to.equal('After-sales');

      await host.contact({ first_name: 'Serviced', class_id: service.id });
      await agent.post(`/access/classes/${service.id}/delete`).type('form').send({ _csrf: csrf }).expect(303);
      expect((await agent.get('/access/classes')).text).to.contain('The class “After-sales” is deleted; 1 client no longer has a class.');
      expect(await host.classes.get(service.id)).to.equal(null);
    });

    it('saves a new order dragged on the page', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, '/access/classes');
      await agent.post('/access/classes/order').set('X-CSRF-Token', csrf).send({ ids: [south, north] }).expect(200);
      expect((await host.classes.list()).map((c) => c.name)).to.deep.equal(['South', 'North']);
      await agent.post('/access/classes/order').set('X-CSRF-Token', csrf).send({ ids: [999999] }).expect(400);
    });

    it('is closed to users without access.classes.manage, and speaks Polish, Russian and Ukrainian', async () => {
      const plain = await host.userWithRights(['crm.access']);
      await (await host.login(plain.email, plain.password)).get('/access/classes').expect(403);
      const agent = await host.login();
      for (const [lng, word] of [['pl', 'Klasy kontaktów'], ['ru', 'Классы контактов'], ['uk', 'Класи контактів']] as const) {
        expect((await agent.get('/access/classes').set('Accept-Language', lng).expect(200)).text, lng).to.contain(word);
      }
    });
  });

  describe('the group form', () => {
    it('shows a none / view / edit choice per class and the "only my clients" switch, and saves them', async () => {
      const agent = await host.login();
      const form = await agent.get('/admin/groups/new').expect(200);
      expect(form.text).to.contain(`name="access_class_${north}" value="view"`).and.contain('data-testid="only-own"');
      const csrf = await csrfOf(agent, '/admin/groups/new');
      await agent
        .post('/admin/groups')
        .type('form')
        .send({ _csrf: csrf, name: 'Form group', rights: 'crm.access', access_form: '1', [`access_class_${north}`]: 'edit', [`access_class_${south}`]: 'none', access_only_own: '1' })
        .expect(302);
      const group = (await host.services.get<{ findByName(n: string): Promise<{ id: number } | null> }>(TOKENS.Groups).findByName('Form group'))!;
      expect((await host.groupAccess.read([group.id])).get(group.id)).to.deep.equal({ classes: { [north]: 'edit' }, only_own: true });
      const edit = await agent.get(`/admin/groups/${group.id}`).expect(200);
      expect(edit.text).to.match(new RegExp(`name="access_class_${north}" value="edit"[^>]*checked`));
      expect(edit.text).to.match(/data-testid="only-own"|id="access-only-own"[^>]*checked/);
      // Unticking the switch (browsers then send nothing for it) turns it off.
      await agent.post(`/admin/groups/${group.id}`).type('form').send({ _csrf: csrf, name: 'Form group', access_form: '1', [`access_class_${north}`]: 'view' }).expect(302);
      expect((await host.groupAccess.read([group.id])).get(group.id)).to.deep.equal({ classes: { [north]: 'view' }, only_own: false });
    });
  });

  describe('the card', () => {
    let contact: Contact;
    let editorEmail: string;

    before(async () => {
      contact = await host.contact({ first_name: 'Card', last_name: 'Holder', class_id: north });
      const gid = await host.group('Card editors', { classes: { [north]: 'edit', [south]: 'view' } });
      const editor = await host.user('Carla Editor', [gid]);
      editorEmail = editor.email;
    });

    const fakeRequest = (user = host.admin) => {
      const i18n = host.services.get<I18nService>(TOKENS.I18n);
      return { user, language: 'en', t: i18n.fixedT('en'), originalUrl: '/crm/contacts/1', get: () => undefined } as unknown as Request;
    };

    it('puts the class badge in the header, which loads the "who can see" panel when opened', async () => {
      const slot = host.services.get<ExtensionRegistry>(TOKENS.Extensions).list(profileHeaderSlots, host.admin).find((s) => s.pluginId === 'access')!;
      const html = await slot.render(contact, fakeRequest());
      expect(html).to.contain('data-testid="class-badge"').and.contain('North').and.contain(`hx-get="/access/contacts/${contact.id}/panel"`);
      const none = await slot.render({ ...contact, class_id: null }, fakeRequest());
      expect(none).to.contain('No class');
    });

    it('shows the class, the groups it opens to and the grants, with forms for editors only', async () => {
      const agent = await host.login(editorEmail, 'user-password-1');
      const panel = await agent.get(`/access/contacts/${contact.id}/panel`).expect(200);
      expect(panel.text).to.contain('Who can see this client').and.contain('Card editors').and.contain('data-testid="class-form"');
      // Only classes she may assign are offered.
      expect(panel.text).to.contain(`<option value="${north}" selected>North</option>`).and.not.contain(`<option value="${south}"`);
      const page = await agent.get(`/access/contacts/${contact.id}`).expect(200);
      expect(page.text).to.contain(`href="/crm/contacts/${contact.id}"`).and.contain('data-testid="access-panel"');

      const reader = await host.user('Rita Reader', [await host.group('Readers', { classes: { [north]: 'view' } })]);
      const readerPanel = await (await host.login(reader.email, reader.password)).get(`/access/contacts/${contact.id}/panel`).expect(200);
      expect(readerPanel.text).not.to.contain('data-testid="class-form"').and.not.to.contain('data-testid="grant-form"');
      const outsider = await host.userWithRights(['crm.access']);
      await (await host.login(outsider.email, outsider.password)).get(`/access/contacts/${contact.id}/panel`).expect(404);
    });

    it('changes the class from the panel with htmx, telling the card its new version, with history', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, `/access/contacts/${contact.id}`);
      const res = await agent.post(`/access/contacts/${contact.id}/class`).set('HX-Request', 'true').type('form').send({ _csrf: csrf, class_id: String(south), version: String(contact.version) }).expect(200);
      expect(res.text).to.contain('The class is saved.');
      const after = await host.contacts.get(host.admin, contact.id);
      expect(after.class_id).to.equal(south);
      expect(JSON.parse(res.headers['hx-trigger']!)).to.deep.equal({ 'crm:changed': { version: after.version, from: contact.version, field: 'class_id' } });
      const [entry] = await host.history.list(host.admin, contact.id, { field: 'class_id' });
      expect(entry).to.include({ old_value: north, new_value: south });
      // A stale version is a conflict, shown in the panel.
      const stale = await agent.post(`/access/contacts/${contact.id}/class`).set('HX-Request', 'true').type('form').send({ _csrf: csrf, class_id: String(north), version: String(contact.version) });
      expect(stale.status).to.equal(409);
      expect(stale.text).to.contain('Someone else changed this client meanwhile');
      contact = after;
    });

    it('refuses a class the user may not assign, and says so when a change hides the client from them', async () => {
      const east = (await host.classes.create({ name: 'East' })).id;
      const user = await host.user('Olga Own', [await host.group('North editors', { classes: { [north]: 'edit' } }), await host.group('East, only own', { classes: { [east]: 'edit' }, onlyOwn: true })]);
      const agent = await host.login(user.email, user.password);
      const csrf = await csrfOf(agent, '/crm/contacts');
      const theirs = await host.contact({ first_name: 'Somebody', last_name: 'Elses', class_id: north });
      const refused = await agent.post(`/access/contacts/${theirs.id}/class`).set('HX-Request', 'true').type('form').send({ _csrf: csrf, class_id: String(south), version: '1' });
      expect(refused.status).to.equal(400);
      expect(refused.text).to.contain('You may not put clients in this class.');
      // East is hers only for clients she is responsible for: after the change she no longer sees this one.
      const gone = await agent.post(`/access/contacts/${theirs.id}/class`).set('HX-Request', 'true').type('form').send({ _csrf: csrf, class_id: String(east), version: '1' }).expect(200);
      expect(gone.text).to.contain('You no longer have access to this client.');
      expect((await host.contacts.get(host.admin, theirs.id)).class_id).to.equal(east);
      await agent.get(`/access/contacts/${theirs.id}/panel`).expect(404);
    });

    it('shares the card with a user and removes the share from the panel, and works without JavaScript too', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, `/access/contacts/${contact.id}`);
      const friend = await host.user('Fred Friend', []);
      const added = await agent.post(`/access/contacts/${contact.id}/grants`).set('HX-Request', 'true').type('form').send({ _csrf: csrf, principal: `u:${friend.id}`, level: 'edit' }).expect(200);
      expect(added.text).to.contain('Access granted.').and.contain('Fred Friend').and.contain('data-testid="grant"');
      const grant = (await host.grants.list(host.admin, contact.id))[0]!;
      expect(grant).to.include({ user_id: friend.id, level: 'edit' });
      const nobody = await agent.post(`/access/contacts/${contact.id}/grants`).set('HX-Request', 'true').type('form').send({ _csrf: csrf, principal: '', level: 'view' });
      expect(nobody.status).to.equal(400);
      expect(nobody.text).to.contain('Choose a user or a group.');
      const removed = await agent.post(`/access/contacts/${contact.id}/grants/${grant.id}/delete`).type('form').send({ _csrf: csrf });
      expect([removed.status, removed.headers.location]).to.deep.equal([303, `/access/contacts/${contact.id}`]);
      expect((await agent.get(`/access/contacts/${contact.id}`)).text).to.contain('Access removed.').and.contain('Not shared with anyone else.');
    });
  });
});
