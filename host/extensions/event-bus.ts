/**
 * Events between plugins. Each handler runs in its own try/catch with its plugin and time
 * logged, so one broken plugin cannot stop the others. "Before" handlers may veto: their first
 * error is rethrown to the caller, which aborts its transaction.
 */
import type { Logger } from 'pino';
import type { EventBus, EventDefinition, EventHandler } from '../api.js';

interface Registered {
  pluginId: string;
  handler: EventHandler<unknown>;
}

export class EventBusImpl implements EventBus {
  private readonly after = new Map<string, Registered[]>();
  private readonly before = new Map<string, Registered[]>();

  constructor(
    private readonly logger: Logger,
    private readonly isEnabled: (pluginId: string) => boolean,
  ) {}

  on<P>(pluginId: string, event: EventDefinition<P>, handler: EventHandler<P>, veto = false): void {
    const map = veto ? this.before : this.after;
    const list = map.get(event.id) ?? [];
    list.push({ pluginId, handler: handler as EventHandler<unknown> });
    map.set(event.id, list);
  }

  forget(pluginId: string): void {
    for (const map of [this.after, this.before]) for (const [id, list] of map) map.set(id, list.filter((h) => h.pluginId !== pluginId));
  }

  async emit<P>(event: EventDefinition<P>, payload: P, options: { rethrow?: boolean } = {}): Promise<void> {
    for (const { pluginId, handler } of this.after.get(event.id) ?? []) {
      if (!this.isEnabled(pluginId)) continue;
      const started = performance.now();
      try {
        await handler(payload);
        this.logger.debug({ event: event.id, plugin: pluginId, ms: Math.round(performance.now() - started) }, 'event handled');
      } catch (err) {
        this.logger.error({ event: event.id, plugin: pluginId, ms: Math.round(performance.now() - started), err }, 'event handler failed');
        if (options.rethrow) throw err;
      }
    }
  }

  async emitBefore<P>(event: EventDefinition<P>, payload: P): Promise<void> {
    for (const { pluginId, handler } of this.before.get(event.id) ?? []) {
      if (!this.isEnabled(pluginId)) continue;
      await handler(payload);
    }
  }
}
