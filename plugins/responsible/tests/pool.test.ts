/**
 * The pool of free clients: managers with the right claim an unassigned client and become its
 * responsible (with history); when two claim the same client, one gets it and the other a
 * translated "already claimed" message. The pool stays inside the access scope.
 */
import { expect } from 'chai';
import request from 'supertest';
import { csrfOf } from '../../../tests/support/test-host.js';
import type { Contact } from '../../crm/api.js';
import { createResponsibleTestHost, type ResponsibleTestHost } from './support/responsible-host.js';

type User = { email: string; password: string; id: number };

const MANAGER = ['crm.access', 'crm.contacts.edit', 'responsible.claim'];

describe('The pool of free clients', () => {
  let host: ResponsibleTestHost;
  let ewa: User;
  let filip: User;
  let viewer: User;
  let seller: User;
  let free: Contact[];
  let owned: Contact;

  before(async () => {
    host = await createResponsibleTestHost();
    ewa = await host.userWithRights(MANAGER, 'ewa@example.com');
    filip = await host.userWithRights(MANAGER, 'filip@example.com');
    viewer = await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'viewer@example.com');
    seller = await host.userWithRights(MANAGER, 'restricted-seller@example.com');
    free = [];
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta']) free.push(await host.contact({ kind: 'company', company_name: `${name} Sp. z o.o.`, emails: [{ value: `biuro@${name.toLowerCase()}.pl` }] }));
    owned = await host.contact({ first_name: 'Owned', last_name: 'Client', responsible_id: ewa.id });
  });
  after(() => host.dispose());

  describe('POST /api/v1/contacts/:id/claim', () => {
    it('makes the caller responsible through the CRM, with history, and is harmless to repeat', async () => {
      const token = await host.token(ewa.email, ewa.password);
      const res = await request(host.app!).post(`/api/v1/contacts/${free[0]!.id}/claim`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(res.body).to.deep.include({ id: free[0]!.id, responsible_id: ewa.id, version: free[0]!.version + 1 });
      const [entry] = await host.history.list(host.admin, free[0]!.id, { field: 'responsible_id' });
      expect(entry).to.deep.include({ action: 'update', old_value: null, new_value: ewa.id, user_id: ewa.id });
      const again = await request(host.app!).post(`/api/v1/contacts/${free[0]!.id}/claim`).set('Authorization', `Bearer ${token}`).send({}).expect(200);
      expect(again.body.version).to.equal(free[0]!.version + 1);
    });

    it('lets only one of two managers claiming at once have the client; the other hears who was first', async () => {
      const [e, f] = [await host.token(ewa.email, ewa.password), await host.token(filip.email, filip.password)];
      const claim = (token: string) => request(host.app!).post(`/api/v1/contacts/${free[1]!.id}/claim`).set('Authorization', `Bearer ${token}`).send({ version: free[1]!.version });
      const [first, second] = await Promise.all([claim(e), claim(f)]);
      const statuses = [first.status, second.status].sort();
      expect(statuses).to.deep.equal([200, 409]);
      const winner = first.status === 200 ? 'ewa' : 'filip';
      const loser = first.status === 200 ? second : first;
      expect(loser.body.error.code).to.equal('conflict');
      expect(loser.body.error.message).to.equal(`Too late: ${winner} has already claimed “Beta Sp. z o.o.”.`);
      expect((await host.contacts.get(host.admin, free[1]!.id)).responsible_id).to.equal(winner === 'ewa' ? ewa.id : filip.id);
      expect(await host.history.list(host.admin, free[1]!.id, { field: 'responsible_id' })).to.have.length(1);
    });

    it('refuses a stale version, a client somebody has, and callers without the right or out of scope', async () => {
      const token = await host.token(filip.email, filip.password);
      const changed = await host.contacts.update(host.admin, free[2]!.id, { job_title: 'Wholesale' }, free[2]!.version);
      const stale = await request(host.app!).post(`/api/v1/contacts/${free[2]!.id}/claim`).set('Authorization', `Bearer ${token}`).send({ version: free[2]!.version }).expect(409);
      expect(stale.body.error.message).to.equal('“Gamma Sp. z o.o.” changed in the meantime. Look at it again and claim it if it is still free.');
      expect(stale.body.error.details).to.deep.equal({ current: { version: changed.version, responsible_id: null } });
      const taken = await request(host.app!).post(`/api/v1/contacts/${owned.id}/claim`).set('Authorization', `Bearer ${token}`).expect(409);
      expect(taken.body.error.message).to.equal('Too late: ewa has already claimed “Owned Client”.');
      await request(host.app!).post(`/api/v1/contacts/${free[2]!.id}/claim`).set('Authorization', `Bearer ${await host.token(viewer.email, viewer.password)}`).expect(403);
      const hidden = await request(host.app!).post(`/api/v1/contacts/${free[2]!.id}/claim`).set('Authorization', `Bearer ${await host.token(seller.email, seller.password)}`).expect(404);
      expect(JSON.stringify(hidden.body)).not.to.contain('Gamma');
      await request(host.app!).post('/api/v1/contacts/999999/claim').set('Authorization', `Bearer ${token}`).expect(404);
      expect((await host.contacts.get(host.admin, free[2]!.id)).responsible_id).to.equal(null);
    });
  });

  describe('the pool page', () => {
    it('lists the free clients the user may see, with "Claim" for those who may claim', async () => {
      const agent = await host.login(filip.email, filip.password);
      const html = (await agent.get('/responsible/pool').expect(200)).text;
      expect(html).to.contain('Gamma Sp. z o.o.');
      expect(html).to.contain('Delta Sp. z o.o.');
      expect(html).not.to.contain('Alpha Sp. z o.o.');
      expect(html).not.to.contain('Owned Client');
      expect(html).to.contain(`data-testid="claim-${free[3]!.id}"`);
      expect(html).to.match(/data-testid="pool-count"[^>]*>2 clients</);
      expect((await agent.get('/responsible/pool?q=delta').expect(200)).text).not.to.contain('Gamma Sp. z o.o.');

      const look = await host.login(viewer.email, viewer.password);
      const seen = (await look.get('/responsible/pool').expect(200)).text;
      expect(seen).to.contain('Delta Sp. z o.o.');
      expect(seen).not.to.contain('data-testid="claim-');
      const restricted = await host.login(seller.email, seller.password);
      expect((await restricted.get('/responsible/pool').expect(200)).text).to.contain('data-testid="pool-empty"');
    });

    it('claims from the page with a message, and tells the second manager who was first', async () => {
      const first = await host.login(filip.email, filip.password);
      const second = await host.login(ewa.email, ewa.password);
      const [a, b] = [await csrfOf(first, '/responsible/pool'), await csrfOf(second, '/responsible/pool')];
      const res = await first.post(`/responsible/pool/${free[3]!.id}/claim`).type('form').send({ _csrf: a, q: 'delta', cursor: '' }).expect(303);
      expect(res.headers.location).to.equal('/responsible/pool?q=delta');
      expect((await first.get(res.headers.location!).expect(200)).text).to.contain('“Delta Sp. z o.o.” is now your client.');
      await second.post(`/responsible/pool/${free[3]!.id}/claim`).type('form').send({ _csrf: b }).expect(303);
      expect((await second.get('/responsible/pool').expect(200)).text).to.contain('Too late: filip has already claimed “Delta Sp. z o.o.”.');
      expect((await host.contacts.get(host.admin, free[3]!.id)).responsible_id).to.equal(filip.id);

      const pl = await host.login(ewa.email, ewa.password);
      const csrf = await csrfOf(pl, '/responsible/pool');
      await pl.post('/account/language').type('form').send({ _csrf: csrf, language: 'pl', next: '/responsible/pool' }).expect(302);
      await pl.post(`/responsible/pool/${free[3]!.id}/claim`).type('form').send({ _csrf: csrf }).expect(303);
      expect((await pl.get('/responsible/pool').expect(200)).text).to.contain('Za późno: filip już przejął(-ęła) „Delta Sp. z o.o.”.');
      await pl.post('/account/language').type('form').send({ _csrf: csrf, language: 'en', next: '/responsible/pool' }).expect(302);

      const look = await host.login(viewer.email, viewer.password);
      await look.post(`/responsible/pool/${free[2]!.id}/claim`).type('form').send({ _csrf: await csrfOf(look, '/responsible/pool') }).expect(403);
    });
  });
});
