/**
 * Extension points and their contributions. Points are declared and contributions added during
 * the register phase; then the registry is frozen. Consumers see only contributions of enabled
 * plugins, sorted by order and filtered by the user's rights.
 */
import type { Contributed, Contribution, CurrentUser, ExtensionPoint, ExtensionRegistry } from '../api.js';

interface Entry {
  owner: string;
  contributions: Array<Contributed<Contribution>>;
}

export class ExtensionRegistryImpl implements ExtensionRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly pending: Array<{ pluginId: string; pointId: string; contribution: Contribution }> = [];
  private frozen = false;

  constructor(private readonly isEnabled: (pluginId: string) => boolean) {}

  declare(pluginId: string, point: ExtensionPoint<Contribution>): void {
    this.assertOpen();
    const existing = this.entries.get(point.id);
    if (existing) throw new Error(`Extension point "${point.id}" is declared twice (by "${existing.owner}" and "${pluginId}")`);
    this.entries.set(point.id, { owner: pluginId, contributions: [] });
  }

  contribute<T extends Contribution>(pluginId: string, point: ExtensionPoint<T>, contribution: T): void {
    this.assertOpen();
    // Points may be declared by a plugin that registers later in dependency order only if the
    // contributor depends on it, which order guarantees; still, resolve at freeze time.
    this.pending.push({ pluginId, pointId: point.id, contribution });
  }

  /** Drops everything a plugin registered (used when its register() throws half-way). */
  forget(pluginId: string): void {
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.pluginId === pluginId) this.pending.splice(i, 1);
    for (const [id, entry] of this.entries) if (entry.owner === pluginId) this.entries.delete(id);
  }

  /** Ends the register phase. Returns the problems found (unknown points, duplicate ids). */
  freeze(): string[] {
    const problems: string[] = [];
    for (const { pluginId, pointId, contribution } of this.pending) {
      const entry = this.entries.get(pointId);
      if (!entry) {
        problems.push(`plugin "${pluginId}" contributes to unknown extension point "${pointId}"`);
        continue;
      }
      if (entry.contributions.some((c) => c.pluginId === pluginId && c.id === contribution.id)) {
        problems.push(`plugin "${pluginId}" contributes "${contribution.id}" to "${pointId}" twice`);
        continue;
      }
      entry.contributions.push(Object.freeze({ ...contribution, pluginId }));
    }
    for (const entry of this.entries.values()) {
      entry.contributions.sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.pluginId.localeCompare(b.pluginId) || a.id.localeCompare(b.id));
    }
    this.pending.length = 0;
    this.frozen = true;
    return problems;
  }

  list<T extends Contribution>(point: ExtensionPoint<T>, user?: CurrentUser | null): Contributed<T>[] {
    const entry = this.entries.get(point.id);
    if (!entry) return [];
    return entry.contributions.filter(
      (c) => this.isEnabled(c.pluginId) && (!c.right || !user || user.can(c.right)),
    ) as Contributed<T>[];
  }

  points(): Array<{ id: string; owner: string; contributions: number }> {
    return [...this.entries].map(([id, e]) => ({ id, owner: e.owner, contributions: e.contributions.length }));
  }

  private assertOpen(): void {
    if (this.frozen) throw new Error('Extension points are frozen: contribute from register(ctx) only');
  }
}
