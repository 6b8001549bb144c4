/**
 * Managed transactions follow the code that runs inside them: every query started within
 * `db.transaction(async () => ...)` joins that transaction without passing it by hand. Sequelize
 * supports this through a CLS namespace; this one is built on Node's AsyncLocalStorage. Besides
 * being less error-prone, it matters on SQLite, whose single connection would otherwise deadlock
 * when a query inside a transaction forgot the `transaction` option.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { Sequelize } from 'sequelize';

const storage = new AsyncLocalStorage<Map<string, unknown>>();

const namespace = {
  run<T>(fn: (context: Map<string, unknown>) => T): T {
    const context = new Map(storage.getStore() ?? []);
    return storage.run(context, () => fn(context));
  },
  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return AsyncResource.bind(fn);
  },
  get(key: string): unknown {
    return storage.getStore()?.get(key);
  },
  set(key: string, value: unknown): void {
    storage.getStore()?.set(key, value);
  },
};

let installed = false;

export function useTransactionContext(): void {
  if (installed) return;
  Sequelize.useCLS(namespace as never);
  installed = true;
}
