/**
 * CRM_HEAP_GROWTH_PERCENT: how far V8 lets the heap of the server and the command line grow past
 * what its last full collection kept. A whole number from 0 (V8's own choice) to 1000.
 */
import { expect } from 'chai';
import os from 'node:os';
import { ConfigError, DEFAULT_HEAP_GROWTH_PERCENT, loadConfig } from '../../host/config/load-config.js';
import { ROOT } from '../../host/root.js';

describe('Configuration: heap growth', () => {
  const env = { NODE_ENV: 'test', CRM_DATA_DIR: os.tmpdir(), SESSION_SECRET: 'x'.repeat(32) };

  it('holds the heap to half again what a full collection kept unless told otherwise', () => {
    expect(DEFAULT_HEAP_GROWTH_PERCENT).to.equal(50);
    expect(loadConfig(env, ROOT).heapGrowthPercent).to.equal(50);
    expect(loadConfig({ ...env, CRM_HEAP_GROWTH_PERCENT: '0' }, ROOT).heapGrowthPercent, "0 leaves V8's own choice").to.equal(0);
    expect(loadConfig({ ...env, CRM_HEAP_GROWTH_PERCENT: '120' }, ROOT).heapGrowthPercent).to.equal(120);
  });

  it('refuses a value that is not a whole number from 0 to 1000, naming the variable', () => {
    for (const bad of ['abc', '-5', '2.5', '5000']) {
      expect(() => loadConfig({ ...env, CRM_HEAP_GROWTH_PERCENT: bad }, ROOT), bad)
        .to.throw(ConfigError)
        .with.property('message')
        .that.contains('CRM_HEAP_GROWTH_PERCENT must be a whole number from 0 to 1000');
    }
  });
});
