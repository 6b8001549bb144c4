import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { PluginInfo, PluginManager } from '../../host/api.js';
import { checkAppManifest } from '../../host/plugins/check-app-manifest.js';
import { Validator } from '../../host/validation/validator.js';
import { ROOT } from '../support/test-host.js';

function pluginsWith(infos: Partial<PluginInfo>[]): PluginManager {
  return { get: (id: string) => (infos.find((p) => p.id === id) as PluginInfo | undefined) ?? null } as unknown as PluginManager;
}

function write(data: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'app-manifest-')), 'plugin.manifest.json');
  fs.writeFileSync(file, JSON.stringify(data));
  return file;
}

describe('The app manifest', () => {
  const validator = new Validator();

  it('is valid and lists only plugins that exist in plugins/', () => {
    const { app, problems } = checkAppManifest(path.join(ROOT, 'plugin.manifest.json'), validator, pluginsWith([]));
    expect(app?.id).to.equal('crm-app');
    for (const id of Object.keys(app!.plugins)) expect(fs.existsSync(path.join(ROOT, 'plugins', id, 'plugin.manifest.json')), id).to.equal(true);
    expect(problems.every((p) => p.includes('not installed'))).to.equal(true);
  });

  it('names a missing plugin, a version mismatch and a plugin that failed', () => {
    const file = write({ id: 'demo', name: { en: 'Demo' }, version: '1.0.0', host: '^1.0.0', plugins: { a: '^1.0.0', b: '^2.0.0', c: '*' } });
    const { problems } = checkAppManifest(file, validator, pluginsWith([
      { id: 'b', version: '1.5.0', state: 'enabled', error: null },
      { id: 'c', version: '1.0.0', state: 'failed', error: 'boom' },
    ]));
    expect(problems).to.deep.equal([
      'app "demo" needs plugin "a" ^1.0.0, which is not installed',
      'app "demo" needs plugin "b" ^2.0.0, but version 1.5.0 is installed',
      'app "demo" needs plugin "c", which could not load: boom',
    ]);
  });

  it('reports unknown fields in the manifest', () => {
    const file = write({ id: 'demo', name: { en: 'Demo' }, version: '1.0.0', host: '^1.0.0', plugins: { a: '*' }, colour: 'red' });
    expect(checkAppManifest(file, validator, pluginsWith([])).problems[0]).to.contain('field "colour": unknown field');
  });
});
