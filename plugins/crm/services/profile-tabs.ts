/**
 * The client card's tabs from every enabled plugin: headers with counts gathered under a timeout
 * (a slow or broken plugin costs its own tab, never the card), and one tab's body rendered on
 * demand with its failure contained.
 */
import type { Request } from 'express';
import { HttpError, TOKENS, inject, injectable, type ExtensionRegistry } from '../../../host/api.js';
import type { Logger } from 'pino';
import { profileTabs, type Contact, type ProfileTab } from '../api.js';

export const TAB_TIMEOUT_MS = 2000;

export interface TabHeader {
  key: string;
  plugin: string;
  id: string;
  title: string;
  count: number | null;
  failed: boolean;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}

@injectable()
export class ProfileTabsService {
  /** Failures per plugin since start, for the administrators' view of plugin health. */
  readonly failures = new Map<string, number>();

  constructor(
    @inject(TOKENS.Extensions) private readonly extensions: ExtensionRegistry,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  tabsFor(contact: Contact, req: Request): Array<ProfileTab & { pluginId: string }> {
    return this.extensions.list(profileTabs, req.user).filter((t) => !t.applies || t.applies(contact));
  }

  private failed(tab: { pluginId: string; id: string }, err: unknown): void {
    this.failures.set(tab.pluginId, (this.failures.get(tab.pluginId) ?? 0) + 1);
    this.logger.error({ plugin: tab.pluginId, tab: tab.id, err }, 'profile tab failed');
  }

  async headers(contact: Contact, req: Request, timeoutMs = TAB_TIMEOUT_MS): Promise<TabHeader[]> {
    const tabs = this.tabsFor(contact, req);
    const counts = await Promise.allSettled(tabs.map((t) => (t.count ? withTimeout(t.count(contact, req), timeoutMs) : Promise.resolve(null))));
    return tabs.map((t, i) => {
      const r = counts[i]!;
      if (r.status === 'rejected') this.failed(t, r.reason);
      return {
        key: `${t.pluginId}.${t.id}`,
        plugin: t.pluginId,
        id: t.id,
        title: req.t(t.title),
        count: r.status === 'fulfilled' ? r.value : null,
        failed: r.status === 'rejected',
      };
    });
  }

  /** The tab's HTML, or null when it failed (the caller shows the "this tab failed" box). */
  async body(contact: Contact, req: Request, pluginId: string, tabId: string, timeoutMs = TAB_TIMEOUT_MS * 5): Promise<string | null> {
    const tab = this.tabsFor(contact, req).find((t) => t.pluginId === pluginId && t.id === tabId);
    if (!tab) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    try {
      return await withTimeout(tab.render(contact, req), timeoutMs);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) throw err;
      this.failed(tab, err);
      return null;
    }
  }
}
