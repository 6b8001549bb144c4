import path from 'node:path';
import { expect } from 'chai';
import { checkPluginBoundaries } from '../support/plugin-boundaries.js';
import { FIXTURES, ROOT } from '../support/test-host.js';

const HOST_API = path.join(ROOT, 'host', 'api.ts');

describe('Plugin boundaries', () => {
  it('every plugin imports only the host SDK, its own files, and the api.ts of its declared dependencies', () => {
    expect(checkPluginBoundaries(path.join(ROOT, 'plugins'), HOST_API)).to.deep.equal([]);
  });

  it('catches a plugin that reaches into another plugin or into the host', () => {
    const found = checkPluginBoundaries(path.join(FIXTURES, 'plugin-sets', 'boundary'), HOST_API);
    expect(found.map((v) => `${v.file} ${v.specifier}`).sort()).to.deep.equal([
      'rogue/index.ts ../../../../../host/root.js',
      'rogue/index.ts ../base/api.js',
      'rogue/index.ts ../base/internal.js',
      'rogue/tests/rogue.test.ts ../../base/internal.js',
    ]);
  });
});
