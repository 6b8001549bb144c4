import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createTestHost, csrfOf, FIXTURES, ADMIN, type TestHost } from '../support/test-host.js';

const MIXED = path.join(FIXTURES, 'plugin-sets', 'mixed');

describe('HTTP security', () => {
  let host: TestHost;

  before(async () => {
    host = await createTestHost({ pluginRoots: [MIXED], config: { loginRateLimit: { windowMs: 60_000, max: 3 } } });
  });
  after(() => host.dispose());

  describe('sign-in', () => {
    it('sends anonymous visitors of a page to the login form, and API callers get 401 in the error format', async () => {
      const page = await request(host.app!).get('/admin/users');
      expect(page.status).to.equal(302);
      expect(page.headers.location).to.equal('/login?next=%2Fadmin%2Fusers');
      const api = await request(host.app!).get('/api/v1/users').set('Accept-Language', 'ru');
      expect(api.status).to.equal(401);
      expect(api.body.error).to.include({ code: 'unauthorized', details: null });
      expect(api.body.error.message).to.match(/войдите/i);
    });

    it('rejects a wrong password with a translated message', async () => {
      const agent = request.agent(host.app!);
      const csrf = await csrfOf(agent, '/login');
      const res = await agent.post('/login').set('Accept-Language', 'pl').type('form').send({ _csrf: csrf, email: ADMIN.email, password: 'wrong-password' });
      expect(res.status).to.equal(401);
      expect(res.text).to.contain('data-testid="login-error"');
    });

    it('limits failed sign-ins per client with 429', async () => {
      const agent = request.agent(host.app!);
      const csrf = await csrfOf(agent, '/login');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await agent.post('/login').type('form').send({ _csrf: csrf, email: 'nobody@example.com', password: 'wrong-password' })).status);
      }
      expect(statuses).to.deep.equal([401, 401, 401, 429, 429]);
      const token = await request(host.app!).post('/api/v1/auth/token').send({ email: 'nobody@example.com', password: 'x' });
      expect(token.status).to.equal(429);
      expect(token.body.error.code).to.equal('too_many_requests');
      expect(token.headers['retry-after']).to.match(/^\d+$/);
      // Other accounts from the same address can still sign in.
      await host.login();
    });
  });

  describe('CSRF', () => {
    it('rejects a form post without the token', async () => {
      const agent = await host.login();
      const res = await agent.post('/admin/groups').type('form').send({ name: 'Sneaky' });
      expect(res.status).to.equal(403);
      expect(res.text).to.contain('data-testid="error-message"');
    });

    it('rejects a cookie-authenticated API call without the token, and accepts it with the header', async () => {
      const agent = await host.login();
      const without = await agent.post('/api/v1/groups').send({ name: 'Via cookie' });
      expect(without.status).to.equal(403);
      expect(without.body.error.code).to.equal('csrf_failed');
      const csrf = await csrfOf(agent);
      const withToken = await agent.post('/api/v1/groups').set('x-csrf-token', csrf).send({ name: 'Via cookie' });
      expect(withToken.status).to.equal(201);
    });

    it('does not ask bearer-token callers for a CSRF token', async () => {
      const { body } = await request(host.app!).post('/api/v1/auth/token').send(ADMIN).expect(201);
      const res = await request(host.app!).post('/api/v1/groups').set('Authorization', `Bearer ${body.token}`).send({ name: 'Via token' });
      expect(res.status).to.equal(201);
      const bad = await request(host.app!).get('/api/v1/me').set('Authorization', 'Bearer not-a-token');
      expect(bad.status).to.equal(401);
    });
  });

  describe('rights on routes', () => {
    it('answers 403 to a signed-in user without the route\'s right, and 200 with it', async () => {
      const plain = await host.userWithRights([]);
      const agent = await host.login(plain.email, plain.password);
      expect((await agent.get('/admin/plugins')).status).to.equal(403);
      expect((await agent.get('/api/v1/users')).status).to.equal(403);
      expect((await agent.get('/good-a')).status).to.equal(403);
      const allowed = await host.userWithRights(['good-a.access']);
      const agent2 = await host.login(allowed.email, allowed.password);
      expect((await agent2.get('/good-a')).status).to.equal(200);
      expect((await agent2.get('/admin/plugins')).status).to.equal(403);
    });
  });

  describe('bad input', () => {
    let token: string;
    before(async () => {
      token = (await request(host.app!).post('/api/v1/auth/token').send(ADMIN)).body.token;
    });

    it('answers 400 with per-field details in the caller\'s language', async () => {
      const res = await request(host.app!)
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${token}`)
        .set('Accept-Language', 'uk')
        .send({ email: 'not-an-email', name: '', password: 'short', colour: 'red' });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('invalid_input');
      const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
      expect(fields).to.deep.equal(['colour', 'email', 'name', 'password']);
      expect(res.body.error.message).not.to.equal('host:errors.invalid_input');
    });

    it('answers 400 for malformed JSON, 415 for a non-JSON body and 413 for an oversized one', async () => {
      const auth = { Authorization: `Bearer ${token}` };
      const malformed = await request(host.app!).post('/api/v1/groups').set(auth).set('Content-Type', 'application/json').send('{"name":');
      expect(malformed.status).to.equal(400);
      expect(malformed.body.error.code).to.equal('invalid_json');
      const text = await request(host.app!).post('/api/v1/groups').set(auth).set('Content-Type', 'text/plain').send('name=x');
      expect(text.status).to.equal(415);
      const huge = await request(host.app!).post('/api/v1/groups').set(auth).send({ name: 'x'.repeat(2 * 1024 * 1024) });
      expect(huge.status).to.equal(413);
    });

    it('answers 409 for a duplicate and 404 for an unknown record, never 500', async () => {
      const auth = { Authorization: `Bearer ${token}` };
      const dup = await request(host.app!).post('/api/v1/users').set(auth).send({ email: ADMIN.email, name: 'Again', password: 'long-enough-1' });
      expect(dup.status).to.equal(409);
      expect((await request(host.app!).get('/api/v1/users/999999').set(auth)).status).to.equal(404);
      expect((await request(host.app!).get('/api/v1/users/abc').set(auth)).status).to.equal(404);
      expect((await request(host.app!).get('/no/such/page').set(auth).set('Accept', 'application/json')).status).to.equal(404);
    });
  });

  it('sends security headers', async () => {
    const res = await request(host.app!).get('/login');
    expect(res.headers['content-security-policy']).to.contain("script-src 'self'");
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers).not.to.have.property('x-powered-by');
  });
});
