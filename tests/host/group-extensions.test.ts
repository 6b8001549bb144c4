import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createTestHost, csrfOf, FIXTURES, ADMIN, type TestHost } from '../support/test-host.js';

describe('Plugin settings on groups', () => {
  let host: TestHost;
  let token: string;

  before(async () => {
    host = await createTestHost({ pluginRoots: [path.join(FIXTURES, 'plugin-sets', 'mixed')] });
    token = (await request(host.app!).post('/api/v1/auth/token').send(ADMIN)).body.token;
  });
  after(() => host.dispose());

  it('accepts a plugin\'s properties in the groups API and returns them with the group', async () => {
    const res = await request(host.app!).post('/api/v1/groups').set('Authorization', `Bearer ${token}`).send({ name: 'Level two', good_a_level: 2 });
    expect(res.status).to.equal(201);
    expect(res.body).to.include({ name: 'Level two', good_a_level: 2 });
    const patched = await request(host.app!).patch(`/api/v1/groups/${res.body.id}`).set('Authorization', `Bearer ${token}`).send({ good_a_level: 3 });
    expect(patched.body.good_a_level).to.equal(3);
    expect((await request(host.app!).get('/api/v1/groups').set('Authorization', `Bearer ${token}`)).body.items.find((g: { id: number }) => g.id === res.body.id).good_a_level).to.equal(3);
  });

  it('validates them before writing anything', async () => {
    const res = await request(host.app!).post('/api/v1/groups').set('Authorization', `Bearer ${token}`).send({ name: 'Too high', good_a_level: 9 });
    expect(res.status).to.equal(400);
    expect(res.body.error.details[0].field).to.equal('good_a_level');
    const names = (await request(host.app!).get('/api/v1/groups').set('Authorization', `Bearer ${token}`)).body.items.map((g: { name: string }) => g.name);
    expect(names).not.to.include('Too high');
  });

  it('shows the plugin\'s section on the group form and saves it from there', async () => {
    const agent = await host.login();
    const form = await agent.get('/admin/groups/new');
    expect(form.text).to.contain('data-testid="good-a-level"');
    const csrf = await csrfOf(agent, '/admin/groups/new');
    expect((await agent.post('/admin/groups').type('form').send({ _csrf: csrf, name: 'From the form', good_a_level: '1' })).status).to.equal(302);
    const group = (await request(host.app!).get('/api/v1/groups').set('Authorization', `Bearer ${token}`)).body.items.find((g: { name: string }) => g.name === 'From the form');
    expect(group.good_a_level).to.equal(1);
    const bad = await agent.post('/admin/groups').type('form').send({ _csrf: csrf, name: 'Bad level', good_a_level: '7' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('value="7"');
  });
});
