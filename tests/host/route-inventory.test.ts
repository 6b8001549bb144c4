import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createTestHost, FIXTURES, type TestHost } from '../support/test-host.js';

const MIXED = path.join(FIXTURES, 'plugin-sets', 'mixed');
const concrete = (p: string) => p.replace(/:[A-Za-z_]+/g, '1');

describe('Route inventory', () => {
  let host: TestHost;
  let noRights: string;

  before(async () => {
    host = await createTestHost({ pluginRoots: [MIXED] });
    const user = await host.userWithRights([]);
    noRights = (await request(host.app!).post('/api/v1/auth/token').send({ email: user.email, password: user.password })).body.token;
  });
  after(() => host.dispose());

  it('lists every route with its method, path, owner and the access it requires', () => {
    const inventory = host.routes.inventory();
    expect(inventory).to.deep.include({ pluginId: 'host', method: 'get', path: '/admin/plugins', api: false, access: 'host.plugins.manage' });
    expect(inventory).to.deep.include({ pluginId: 'host', method: 'post', path: '/api/v1/auth/token', api: true, access: 'public' });
    expect(inventory).to.deep.include({ pluginId: 'good-a', method: 'post', path: '/api/v1/good-a/items', api: true, access: 'good-a.edit' });
    for (const r of inventory) expect(r.access, `${r.method} ${r.path}`).to.be.a('string').and.not.be.empty;
  });

  it('turns away anonymous callers on every route that is not public', async () => {
    for (const r of host.routes.inventory().filter((x) => x.access !== 'public')) {
      const res = await request(host.app!)[r.method](concrete(r.path)).set('Accept', r.api ? 'application/json' : 'text/html');
      if (r.api) expect(res.status, `${r.method} ${r.path}`).to.equal(401);
      else expect([res.status, res.headers.location?.startsWith('/login')], `${r.method} ${r.path}`).to.deep.equal([302, true]);
    }
  });

  it('answers 403 on every route that needs a right the caller lacks', async () => {
    const guarded = host.routes.inventory().filter((x) => x.access !== 'public' && x.access !== 'user');
    expect(guarded.length).to.be.greaterThan(10);
    for (const r of guarded) {
      const res = await request(host.app!)[r.method](concrete(r.path)).set('Authorization', `Bearer ${noRights}`).set('Accept', 'application/json');
      expect(res.status, `${r.method} ${r.path}`).to.equal(403);
    }
  });

  it('answers every route for an administrator without a server error', async () => {
    const { body } = await request(host.app!).post('/api/v1/auth/token').send({ email: 'admin@example.com', password: 'admin-password-1' });
    for (const r of host.routes.inventory().filter((x) => x.method === 'get' && !x.path.endsWith('/events'))) {
      const res = await request(host.app!).get(concrete(r.path)).set('Authorization', `Bearer ${body.token}`);
      expect(res.status, `GET ${r.path}`).to.be.below(500);
    }
  });

  it('documents every API route of enabled plugins in the OpenAPI document', async () => {
    const doc = (await request(host.app!).get('/api/v1/openapi.json').expect(200)).body;
    for (const r of host.routes.inventory().filter((x) => x.api)) {
      const p = r.path.replace('/api/v1', '').replace(/:([A-Za-z_]+)/g, '{$1}');
      expect(doc.paths[p], p).to.have.property(r.method);
    }
  });
});
