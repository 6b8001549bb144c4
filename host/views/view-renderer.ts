/**
 * Handlebars views with one namespace per plugin: `<ns>/<name>` is `views/<name>.hbs` of that
 * plugin (the kernel's namespace is `host`), and partials under `views/partials/` are
 * `<ns>/<name>` too. Escaping stays on; the only triple-stash is the layout's rendered body.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Request } from 'express';
import type { PageData, ViewRenderer } from '../api.js';
import { registerHelpers } from './helpers.js';

export type LayoutData = (req: Request) => Promise<Record<string, unknown>>;

export class ViewRendererImpl implements ViewRenderer {
  readonly hbs = Handlebars.create();
  private readonly dirs = new Map<string, string>();
  private readonly compiled = new Map<string, { mtimeMs: number; fn: Handlebars.TemplateDelegate }>();
  private layoutData: LayoutData = async () => ({});
  private fragmentData: LayoutData = async () => ({});

  constructor(private readonly cacheTemplates: boolean) {
    registerHelpers(this.hbs);
  }

  /** `page` feeds full pages (menus, flash messages); `fragment` the few values a fragment needs. */
  setLayoutData(page: LayoutData, fragment: LayoutData): void {
    this.layoutData = page;
    this.fragmentData = fragment;
  }

  /** Adds a namespace's views folder and registers its partials. */
  addNamespace(ns: string, dir: string): void {
    if (!fs.existsSync(dir)) return;
    this.dirs.set(ns, dir);
    const partials = path.join(dir, 'partials');
    if (!fs.existsSync(partials)) return;
    for (const file of fs.readdirSync(partials, { recursive: true }) as string[]) {
      if (!file.endsWith('.hbs')) continue;
      const name = `${ns}/${file.replace(/\\/g, '/').replace(/\.hbs$/, '')}`;
      this.hbs.registerPartial(name, fs.readFileSync(path.join(partials, file), 'utf8'));
    }
  }

  private template(view: string): Handlebars.TemplateDelegate {
    const slash = view.indexOf('/');
    const ns = view.slice(0, slash);
    const dir = this.dirs.get(ns);
    if (slash < 1 || !dir) throw new Error(`Unknown view namespace in "${view}"`);
    const file = path.join(dir, `${view.slice(slash + 1)}.hbs`);
    const cached = this.compiled.get(file);
    if (cached && this.cacheTemplates) return cached.fn;
    const mtimeMs = fs.statSync(file).mtimeMs;
    if (cached && cached.mtimeMs === mtimeMs) return cached.fn;
    const fn = this.hbs.compile(fs.readFileSync(file, 'utf8'), { strict: false });
    this.compiled.set(file, { mtimeMs, fn });
    return fn;
  }

  private data(req: Request): Record<string, unknown> {
    return { _t: req.t, _lang: req.language };
  }

  async renderPartial(req: Request, view: string, data: Record<string, unknown> = {}): Promise<string> {
    // Not the page's data: rendering a fragment must not consume the flash messages.
    const base = await this.fragmentData(req);
    return this.template(view)({ ...base, ...data }, { data: this.data(req) });
  }

  rendered(html: string): unknown {
    return new Handlebars.SafeString(html);
  }

  async renderPage(req: Request, view: string, data: PageData = {}): Promise<string> {
    const base = await this.layoutData(req);
    const context = { ...base, ...data };
    const body = this.template(view)(context, { data: this.data(req) });
    return this.template('host/layouts/main')({ ...context, body: new Handlebars.SafeString(body) }, { data: this.data(req) });
  }
}
