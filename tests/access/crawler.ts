/**
 * The access crawler: builds a small world of users who may see different contacts, then walks
 * every route in the host's inventory as each of them and reports what leaks. A route added
 * later is walked too, without anyone listing it here; that is the point.
 *
 * What counts as a leak, for a user and a contact they may not see:
 * - its name, email or a note written on it appears in any response body;
 * - a route given its id answers anything but what it answers for an id that does not exist
 *   (the same status and the same body, ids aside), or answers 2xx/3xx at all;
 * - a contact-shaped item with its id appears in any JSON list, or the contact list's total
 *   differs from what the user may see;
 * - any GET answer changes when more contacts the user may not see are added (counts, pagers,
 *   tag clouds, "N clients" anywhere, exported rows: spreadsheets are compared by their cells);
 * - a POST/PATCH/DELETE given its id changes it (version, trash, history, notes, grants).
 */
import ExcelJS from 'exceljs';
import request from 'supertest';
import { TOKENS, type CurrentUser, type ExtensionRegistry, type JsonSchema, type UsersService } from '../../host/api.js';
import type { Host } from '../../host/boot.js';
import type { RegisteredRoute } from '../../host/http/route-registry.js';
import { CrmTokens, profileTabs, type Contact, type ContactInput, type ContactKind, type ContactsService } from '../../plugins/crm/api.js';
import { ADMIN, type TestHost } from '../support/test-host.js';

/** An id no record has: what a route answers for it is what it must answer for a hidden contact. */
export const NO_SUCH_ID = 987654321;

export interface Secret {
  key: string;
  id: number;
  name: string;
  email: string;
  /** Text written on the contact's card by the administrator (a note). */
  memo: string;
  /** A search prefix of the name that is not itself forbidden text (pages may echo the query). */
  prefix: string;
}

export interface Persona {
  key: string;
  user: CurrentUser;
  token: string;
  /** Secret contacts this user may see. */
  sees: string[];
  /** Hidden contacts whose ids the crawler puts into every route's path. */
  targets: string[];
}

export interface World {
  secrets: Record<string, Secret>;
  /** Contacts every user may see. */
  open: Contact[];
  personas: Persona[];
  adminToken: string;
  classes: Record<string, number>;
}

export interface Finding {
  persona: string;
  method: string;
  route: string;
  url: string;
  problem: string;
}

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// The world

const SECRET_PEOPLE: Array<{ key: string; input: Partial<ContactInput> & { kind?: ContactKind }; name: string; email: string; prefix: string }> = [
  { key: 'company', input: { kind: 'company', company_name: 'Krellbrook Holdings' }, name: 'Krellbrook Holdings', email: 'office@krellbrook-hidden.test', prefix: 'Krellb' },
  { key: 'north', input: { first_name: 'Zyxwar', last_name: 'Northcliffe' }, name: 'Zyxwar Northcliffe', email: 'zyxwar@northcliffe-hidden.test', prefix: 'Zyxwa' },
  { key: 'granted', input: { first_name: 'Quillon', last_name: 'Grantley' }, name: 'Quillon Grantley', email: 'quillon@grantley-hidden.test', prefix: 'Quillo' },
  { key: 'editgrant', input: { first_name: 'Tamsin', last_name: 'Editgrove' }, name: 'Tamsin Editgrove', email: 'tamsin@editgrove-hidden.test', prefix: 'Tamsi' },
  { key: 'south', input: { first_name: 'Vexmoor', last_name: 'Southby' }, name: 'Vexmoor Southby', email: 'vexmoor@southby-hidden.test', prefix: 'Vexmo' },
  { key: 'own', input: { first_name: 'Pellam', last_name: 'Ownsworth' }, name: 'Pellam Ownsworth', email: 'pellam@ownsworth-hidden.test', prefix: 'Pella' },
  { key: 'staff', input: { first_name: 'Brisket', last_name: 'Stafforth', is_staff: true }, name: 'Brisket Stafforth', email: 'brisket@stafforth-hidden.test', prefix: 'Brisk' },
];

const api = (host: Host, token: string) => ({
  post: (path: string, body: object) => request(host.app!).post(path).set('Authorization', `Bearer ${token}`).set('Accept', 'application/json').send(body),
  patch: (path: string, body: object) => request(host.app!).patch(path).set('Authorization', `Bearer ${token}`).set('Accept', 'application/json').send(body),
});

async function tokenOf(host: Host, email: string, password: string): Promise<string> {
  const res = await request(host.app!).post('/api/v1/auth/token').send({ email, password });
  if (res.status !== 201) throw new Error(`no token for ${email}: ${res.status}`);
  return res.body.token as string;
}

/**
 * Every right the host knows except the host's own administration and the right to see staff
 * cards: the crawled users may do everything with contacts, so every route is exercised.
 */
function workerRights(host: Host): string[] {
  return host.services
    .get<{ all(): Array<{ id: string }> }>(TOKENS.Rights)
    .all()
    .map((r) => r.id)
    .filter((id) => !id.startsWith('host.') && !id.startsWith('access.staff.'));
}

/**
 * The world, built through the public API as the administrator: classes North and South; users
 * with no classes, North at "view", South at "edit" for their own clients only, and one with
 * per-card grants; secret contacts each of them may or may not see, with notes and whatever
 * sub-records the plugins' `POST /api/v1/contacts/:id/...` routes accept.
 */
export async function buildWorld(host: TestHost): Promise<World> {
  await spreadIds(host);
  const adminToken = await tokenOf(host, ADMIN.email, ADMIN.password);
  const admin = api(host, adminToken);
  const rights = workerRights(host);
  const classes: Record<string, number> = {};
  for (const name of ['North', 'South']) {
    const res = await admin.post('/api/v1/classes', { name });
    if (res.status !== 201) throw new Error(`class ${name}: ${res.status} ${res.text}`);
    classes[name] = res.body.id;
  }
  const users = host.services.get<UsersService>(TOKENS.Users);
  const group = async (name: string, extra: Json) => {
    const res = await admin.post('/api/v1/groups', { name, rights, ...extra });
    if (res.status !== 201) throw new Error(`group ${name}: ${res.status} ${res.text}`);
    return res.body.id as number;
  };
  const plainGroup = await group('Crawl: no classes', {});
  const northGroup = await group('Crawl: North viewers', { classes: { [classes.North!]: 'view' } });
  const southGroup = await group('Crawl: South, only own', { classes: { [classes.South!]: 'edit' }, only_own: true });
  const password = 'crawler-password-1';
  const person = async (key: string, name: string, groupIds: number[]) => {
    const record = await users.create({ email: `crawl.${key}@example.com`, password, name, groups: groupIds });
    return { user: (await users.currentUser(record.id))!, token: await tokenOf(host, record.email, password) };
  };
  const plain = await person('plain', 'Paula Plain', [plainGroup]);
  const north = await person('north', 'Nils North', [northGroup]);
  const south = await person('south', 'Sofia South', [southGroup]);
  const granted = await person('granted', 'Gustav Granted', [plainGroup]);

  const contacts = host.services.get<ContactsService>(CrmTokens.Contacts);
  const adminUser = (await users.currentUser((await users.findByEmail(ADMIN.email))!.id))!;
  const classOf: Record<string, Partial<ContactInput>> = {
    company: { class_id: classes.North },
    north: { class_id: classes.North },
    granted: { class_id: classes.North },
    editgrant: { class_id: classes.North },
    south: { class_id: classes.South, responsible_id: adminUser.id },
    own: { class_id: classes.South, responsible_id: south.user.id },
    staff: {},
  };
  const secrets: Record<string, Secret> = {};
  for (const s of SECRET_PEOPLE) {
    const created = await contacts.create(adminUser, { kind: 'person', ...s.input, ...classOf[s.key], emails: [{ value: s.email }] } as ContactInput & { kind: ContactKind });
    secrets[s.key] = { key: s.key, id: created.id, name: s.name, email: s.email, memo: `Memo about ${s.name} only`, prefix: s.prefix };
  }
  // A visible person working at a hidden company, and a plain visible company.
  const open = [
    await contacts.create(adminUser, { kind: 'person', first_name: 'Open', last_name: 'Meadow', company_id: secrets.company!.id, emails: [{ value: 'open@meadow.test' }] }),
    await contacts.create(adminUser, { kind: 'company', company_name: 'Plain Brookside' }),
  ];
  await expectStatus(admin.post(`/api/v1/contacts/${secrets.granted!.id}/grants`, { user_id: granted.user.id, level: 'view' }), 201);
  await expectStatus(admin.post(`/api/v1/contacts/${secrets.editgrant!.id}/grants`, { user_id: granted.user.id, level: 'edit' }), 201);
  for (const s of Object.values(secrets)) {
    await expectStatus(admin.post(`/api/v1/contacts/${s.id}/notes`, { body: s.memo }), 201);
    await seedSubRecords(host, adminToken, s.id);
  }

  const personas: Persona[] = [
    { key: 'no classes', ...plain, sees: [], targets: ['south', 'north'] },
    { key: 'North at view', ...north, sees: ['company', 'north', 'granted', 'editgrant'], targets: ['south', 'own'] },
    { key: 'South, only own', ...south, sees: ['own'], targets: ['south', 'north'] },
    { key: 'per-card grant', ...granted, sees: ['granted', 'editgrant'], targets: ['south', 'north'] },
  ];
  return { secrets, open, personas, adminToken, classes };
}

/**
 * Large ids, a different range per table: a contact's id put into a route for something else (a
 * class, a tag, a dictionary item) then names nothing there, and ids never look like other numbers
 * on a page (a count, a CSS class) when answers are compared.
 */
export const ID_RANGES: Record<string, number> = { crm_contacts: 710_000, crm_notes: 720_000, crm_history: 730_000, access_contact_grants: 740_000 };

async function spreadIds(host: TestHost): Promise<void> {
  for (const [table, start] of Object.entries(ID_RANGES)) {
    if (host.db.getDialect() === 'sqlite') {
      const [, updated] = await host.db.query('UPDATE sqlite_sequence SET seq = ? WHERE name = ?', { replacements: [start, table] });
      if (!(updated as { changes?: number } | undefined)?.changes) await host.db.query('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', { replacements: [table, start] });
    } else {
      await host.db.query(`ALTER TABLE ${table} AUTO_INCREMENT = ${start}`);
    }
  }
}

async function expectStatus(req: request.Test, status: number): Promise<request.Response> {
  const res = await req;
  if (res.status !== status) throw new Error(`a setup request answered ${res.status}, not ${status}: ${res.text.slice(0, 300)}`);
  return res;
}

/** Best effort: every `POST /api/v1/contacts/:id/<x>` route of every plugin, with a sampled valid body (orders, tags, ...). */
async function seedSubRecords(host: TestHost, adminToken: string, contactId: number): Promise<void> {
  const routes = host.routes.all().filter((r) => r.method === 'post' && r.api && /^\/api\/v1\/contacts\/:id\/[a-z-]+$/.test(r.fullPath) && !/\/(restore|notes|grants)$/.test(r.fullPath));
  for (const r of routes) {
    await api(host, adminToken).post(r.fullPath.replace(':id', String(contactId)), sample(r.body, { id: contactId, version: 1, text: 'Sample entry' }) as object);
  }
}

/** Another contact nobody in the world may see, added between the two GET passes. */
export async function addInvisible(host: TestHost, world: World, n: number): Promise<void> {
  const users = host.services.get<UsersService>(TOKENS.Users);
  const admin = (await users.currentUser((await users.findByEmail(ADMIN.email))!.id))!;
  const contacts = host.services.get<ContactsService>(CrmTokens.Contacts);
  for (let i = 0; i < n; i++) {
    const c = await contacts.create(admin, { kind: 'person', first_name: 'Extra', last_name: `Southerner${i}`, class_id: world.classes.South, responsible_id: admin.id });
    await seedSubRecords(host, world.adminToken, c.id);
    const staff = await contacts.create(admin, { kind: 'company', company_name: `Extra Staffco ${i}`, is_staff: true });
    await seedSubRecords(host, world.adminToken, staff.id);
  }
}

// ---------------------------------------------------------------------------------------------
// Values for paths and bodies

const CANDIDATE_STRINGS = ['Sample entry', 'PLN', 'x', '2024-05-01', 'sample@example.com', 'https://example.com', 'first_name', '#0d6efd', '1'];

/** A value for a JSON Schema: required properties only, ids pointing at `ctx.id`. */
export function sample(schema: JsonSchema | undefined, ctx: { id: number; version: number; text: string }, name = ''): unknown {
  if (!schema) return {};
  const s = schema as Json;
  if (Array.isArray(s.enum)) return s.enum.find((v) => v !== '' && v !== null) ?? s.enum[0];
  if (s.const !== undefined) return s.const;
  const types = ([] as unknown[]).concat(s.type ?? (s.properties ? 'object' : 'string'));
  const type = types.find((t) => t !== 'null') as string | undefined;
  if (name === 'version') return ctx.version;
  if (/(^|_)ids?$/.test(name) && (type === 'integer' || type === 'number')) return ctx.id;
  switch (type) {
    case 'object': {
      const out: Json = {};
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      for (const key of (s.required as string[] | undefined) ?? []) out[key] = sample(props[key], ctx, key);
      const min = Number(s.minProperties ?? 0);
      for (const key of Object.keys(props)) {
        if (Object.keys(out).length >= min) break;
        if (!(key in out)) out[key] = sample(props[key], ctx, key);
      }
      return out;
    }
    case 'array': {
      const items = s.items as JsonSchema | undefined;
      const n = Math.max(Number(s.minItems ?? 0), /ids$/.test(name) ? 1 : 0);
      return Array.from({ length: n }, () => (/ids$/.test(name) ? ctx.id : sample(items, ctx, name.replace(/s$/, ''))));
    }
    case 'integer':
    case 'number':
      return Math.max(Number(s.minimum ?? 1), 1);
    case 'boolean':
      return true;
    default: {
      if (s.format === 'date') return '2024-05-01';
      if (s.format === 'email') return 'sample@example.com';
      const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : null;
      const min = Number(s.minLength ?? 0);
      return [ctx.text, ...CANDIDATE_STRINGS].find((c) => c.length >= min && (!pattern || pattern.test(c))) ?? ctx.text;
    }
  }
}

interface Ids {
  contact: number;
  note: number;
  entry: number;
  grant: number;
}

async function idsOf(host: TestHost, contactId: number): Promise<Ids> {
  const one = async (sql: string) => {
    const [rows] = await host.db.query(sql, { replacements: [contactId] });
    return Number((rows as Array<{ id: number }>)[0]?.id ?? NO_SUCH_ID);
  };
  return {
    contact: contactId,
    note: await one('SELECT MIN(id) AS id FROM crm_notes WHERE contact_id = ?'),
    entry: await one("SELECT MAX(id) AS id FROM crm_history WHERE contact_id = ? AND action = 'update'"),
    grant: await one('SELECT MIN(id) AS id FROM access_contact_grants WHERE contact_id = ?'),
  };
}

const NONE: Ids = { contact: NO_SUCH_ID, note: NO_SUCH_ID, entry: NO_SUCH_ID, grant: NO_SUCH_ID };

/** Concrete paths for a route pattern: contact-ish params get the ids, the others plausible values (tabs: every tab). */
function concretePaths(host: TestHost, path: string, ids: Ids): string[] {
  let paths = [path];
  const tabs = host.services.get<ExtensionRegistry>(TOKENS.Extensions).list(profileTabs);
  if (path.includes(':plugin') && path.includes(':tab')) {
    paths = tabs.map((t) => path.replace(':plugin', encodeURIComponent(t.pluginId)).replace(':tab', encodeURIComponent(t.id)));
  }
  if (path.includes(':field')) paths = paths.flatMap((p) => ['first_name', 'emails', 'class_id'].map((f) => p.replace(':field', f)));
  return paths.map((p) =>
    p.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
      if (name === 'noteId') return String(ids.note);
      if (name === 'entryId') return String(ids.entry);
      if (name === 'grantId') return String(ids.grant);
      if (name === 'name') return 'status';
      if (/^(id|contactId|contact_id|companyId|personId)$/.test(name)) return String(ids.contact);
      return '1';
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Checks

/** Text that differs between two answers for reasons that are not data: CSRF tokens, the ids put into the path. */
function normalize(body: string, ids: number[] = []): string {
  let out = body
    .replace(/(<meta name="csrf-token" content=")[^"]*"/g, '$1"')
    .replace(/(name="_csrf" value=")[^"]*"/g, '$1"')
    .replace(/("csrf(?:Token)?":\s*")[^"]*"/g, '$1"');
  for (const id of ids) if (id >= 1000) out = out.replace(new RegExp(`(?<![0-9])${id}(?![0-9])`, 'g'), '<ID>');
  return out;
}

function difference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const clip = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 60), i + 60));
  return `${clip(a)} vs ${clip(b)}`;
}

function forbiddenFor(world: World, persona: Persona): Array<{ text: string; what: string }> {
  return Object.values(world.secrets)
    .filter((s) => !persona.sees.includes(s.key))
    .flatMap((s) => [
      { text: s.name, what: `the name of ${s.key}` },
      { text: s.email, what: `the email of ${s.key}` },
      { text: s.memo, what: `a note on ${s.key}` },
    ]);
}

function hiddenIds(world: World, persona: Persona): Set<number> {
  return new Set(Object.values(world.secrets).filter((s) => !persona.sees.includes(s.key)).map((s) => s.id));
}

/** Contact-shaped objects anywhere in a JSON answer. */
function contactIdsIn(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) value.forEach((v) => contactIdsIn(v, out));
  else if (value && typeof value === 'object') {
    const o = value as Json;
    if (typeof o.id === 'number' && (o.kind === 'person' || o.kind === 'company') && 'name' in o) out.push(o.id);
    Object.values(o).forEach((v) => contactIdsIn(v, out));
  }
  return out;
}

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

async function call(host: TestHost, method: string, url: string, token: string, body?: unknown): Promise<Answer> {
  let req = (request(host.app!) as unknown as Record<string, (u: string) => request.Test>)[method]!(url)
    .set('Authorization', `Bearer ${token}`)
    .set('Accept', url.startsWith('/api/') ? 'application/json' : 'text/html')
    .timeout({ response: 15_000, deadline: 20_000 })
    // Every body as bytes: spreadsheets are read as their cells below, so exported rows are checked like any page.
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
  if (body !== undefined) req = req.send(body as object);
  const res = await req;
  const type = String(res.headers['content-type'] ?? '');
  const bytes = res.body as Buffer;
  const text = type.includes('spreadsheetml') ? await spreadsheetText(bytes) : bytes.toString('utf8');
  let json: unknown = null;
  if (type.includes('json') && text) json = JSON.parse(text);
  return { status: res.status, text, json };
}

/** An XLSX answer as its cells, a tab between cells and a line per row (a zip's bytes differ on every download). */
async function spreadsheetText(bytes: Buffer): Promise<string> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  const lines: string[] = [];
  book.eachSheet((sheet) => sheet.eachRow((row) => lines.push((row.values as unknown[]).slice(1).map((v) => (v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))).join('\t'))));
  return lines.join('\n');
}

/**
 * Pages and lists of the caller's own recent exports and imports: the crawl's own downloads add
 * to them between passes. They are still searched for hidden contacts' data, just not compared.
 */
const OWN_ACTIVITY = new Set(['/api/v1/exports', '/crm/contacts/export', '/api/v1/imports', '/crm/import']);

/** Params that get a hidden contact's ids (or its notes', history entries', grants'); others get plausible values. */
const ID_PARAM = /:(id|contactId|contact_id|companyId|personId|noteId|entryId|grantId)(?=\/|$)/;
/** Routes about one contact: they must answer 404 (or 403) for a hidden one. */
const CONTACT_ROUTE = /\/contacts\/:(id|contactId)(\/|$)/;

/** Routes that may search: no query schema, or one that has `q` or lets unknown parameters through. */
function takesQ(route: RegisteredRoute): boolean {
  const q = route.query as { properties?: Record<string, unknown>; additionalProperties?: unknown } | undefined;
  return !q || Boolean(q.properties?.q) || q.additionalProperties !== false;
}

/** Server-sent event streams never end; they carry jobs, not contacts. */
const isStream = (r: RegisteredRoute) => r.fullPath.endsWith('/events');

export interface CrawlOptions {
  /** Contacts nobody may see, added between the first and the second GET pass; 0 skips the comparison. */
  addBetweenPasses?: number;
  /** Only the routes of these plugins (the leaky fixture's test). */
  plugins?: string[];
  log?: (line: string) => void;
}

/** Walks every route as every persona; returns the leaks found (none, when all is well). */
export async function crawl(host: TestHost, world: World, options: CrawlOptions = {}): Promise<{ findings: Finding[]; requests: number; routes: number }> {
  const findings: Finding[] = [];
  let requests = 0;
  const routes = host.routes.all().filter((r) => !r.public && !isStream(r) && (!options.plugins || options.plugins.includes(r.pluginId)));
  const gets = routes.filter((r) => r.method === 'get');
  const writes = routes.filter((r) => r.method !== 'get' && ID_PARAM.test(r.fullPath));
  const idCache = new Map<number, Ids>();
  const idsFor = async (contactId: number) => idCache.get(contactId) ?? idCache.set(contactId, await idsOf(host, contactId)).get(contactId)!;
  const flag = (persona: Persona, route: RegisteredRoute, url: string, problem: string) =>
    findings.push({ persona: persona.key, method: route.method.toUpperCase(), route: route.fullPath, url, problem });

  /** Server errors, forbidden text, and hidden contacts in JSON lists. */
  const inspect = (persona: Persona, route: RegisteredRoute, url: string, a: Answer) => {
    requests++;
    if (a.status >= 500) flag(persona, route, url, `answered ${a.status}`);
    for (const f of forbiddenFor(world, persona)) {
      if (a.text.includes(f.text)) flag(persona, route, url, `shows ${f.what} ("${f.text}")`);
    }
    const hidden = hiddenIds(world, persona);
    for (const id of contactIdsIn(a.json)) if (hidden.has(id)) flag(persona, route, url, `lists hidden contact ${id}`);
  };

  // GET pass: every list, page and API read, plain and searching for hidden names and emails.
  const getUrls = async (persona: Persona) => {
    const urls: Array<{ route: RegisteredRoute; url: string; ids?: number[]; twin?: string }> = [];
    for (const route of gets) {
      if (!ID_PARAM.test(route.fullPath)) {
        // Lists, searches and pages of other things: as they are, and searching for hidden contacts.
        if (route.fullPath.includes('/:')) {
          concretePaths(host, route.fullPath, NONE).forEach((url) => urls.push({ route, url }));
          continue;
        }
        urls.push({ route, url: route.fullPath });
        if (!takesQ(route)) continue;
        // Searches for hidden contacts: by a name prefix of each target and another hidden one, and by an email.
        const hidden = persona.targets.concat(Object.keys(world.secrets).filter((k) => !persona.sees.includes(k) && !persona.targets.includes(k)).slice(0, 1));
        for (const key of hidden) urls.push({ route, url: `${route.fullPath}?q=${encodeURIComponent(world.secrets[key]!.prefix)}` });
        urls.push({ route, url: `${route.fullPath}?q=${encodeURIComponent(world.secrets[hidden[0]!]!.email.split('@')[0]!)}%40` });
        continue;
      }
      for (const key of persona.targets) {
        const ids = await idsFor(world.secrets[key]!.id);
        const real = concretePaths(host, route.fullPath, ids);
        const twins = concretePaths(host, route.fullPath, NONE);
        real.forEach((url, i) => urls.push({ route, url, ids: [ids.contact, ids.note, ids.entry, ids.grant], twin: twins[i] }));
      }
    }
    return urls;
  };

  // Reads run a few at a time (they change nothing); writes run one by one, each checked on its own.
  const firstPass = new Map<string, Array<{ route: RegisteredRoute; url: string; text: string; hiddenId: boolean }>>();
  await Promise.all(
    world.personas.map(async (persona) => {
      const list = await getUrls(persona);
      const answers = await pool(list, READ_CONCURRENCY, async ({ route, url, ids, twin }) => {
        const a = await call(host, 'get', url, persona.token);
        inspect(persona, route, url, a);
        if (twin) {
          const b = await call(host, 'get', twin, persona.token);
          requests++;
          compareWithTwin(persona, route, url, a, b, ids!, flag);
        }
        if (route.fullPath === '/api/v1/contacts' && url === route.fullPath) {
          const expected = world.open.length + persona.sees.length;
          const total = (a.json as { total?: number } | null)?.total;
          if (total !== expected) flag(persona, route, url, `total is ${total}, but the user may see ${expected} contacts`);
        }
        return { route, url, text: normalize(a.text), hiddenId: Boolean(twin) };
      });
      firstPass.set(persona.key, answers);
      options.log?.(`${persona.key}: GET pass done (${answers.length} URLs)`);
    }),
  );

  // The same GETs after adding contacts nobody may see: nothing may change.
  if (options.addBetweenPasses) {
    await addInvisible(host, world, options.addBetweenPasses);
    await Promise.all(
      world.personas.map((persona) =>
        // Answers about a hidden contact were compared with a missing one's already; lists and pages are what counts change.
        pool(firstPass.get(persona.key)!.filter((x) => !x.hiddenId), READ_CONCURRENCY, async ({ route, url, text }) => {
          const a = await call(host, 'get', url, persona.token);
          requests++;
          if (a.status >= 500) flag(persona, route, url, `answered ${a.status}`);
          const now = normalize(a.text);
          if (now !== text && !OWN_ACTIVITY.has(route.fullPath)) flag(persona, route, url, `changes when contacts the user may not see are added: ${difference(text, now)}`);
        }),
      ),
    );
    options.log?.('second GET pass done');
  }

  // Writes given a hidden contact's id: 404 (or 403), never a change to the contact.
  for (const persona of world.personas) {
    for (const route of writes) {
      for (const key of persona.targets) {
        const secret = world.secrets[key]!;
        const ids = await idsFor(secret.id);
        const before = await snapshot(host, secret.id);
        const real = concretePaths(host, route.fullPath, ids);
        const twins = concretePaths(host, route.fullPath, NONE);
        for (const [i, url] of real.entries()) {
          const body = sample(route.body, { id: secret.id, version: Number(before.split('|')[0]), text: 'Sample entry' }) as Json;
          const plausible = route.body ? body : { version: Number(before.split('|')[0]), value: 'Sample entry', ...body };
          const a = await call(host, route.method, url, persona.token, plausible);
          inspect(persona, route, url, a);
          const b = await call(host, route.method, twins[i]!, persona.token, plausible);
          requests++;
          compareWithTwin(persona, route, url, a, b, [ids.contact, ids.note, ids.entry, ids.grant], flag);
          const after = await snapshot(host, secret.id);
          if (after !== before) flag(persona, route, url, `changed hidden contact ${key} (${before} -> ${after})`);
        }
      }
    }
    options.log?.(`${persona.key}: write pass done`);
  }
  return { findings, requests, routes: routes.length };
}

/**
 * A hidden contact's id must get the answer an id that does not exist gets: the same status and
 * the same body, ids aside. Routes about one contact must moreover refuse it (404, or 403).
 */
function compareWithTwin(persona: Persona, route: RegisteredRoute, url: string, a: Answer, b: Answer, ids: number[], flag: (p: Persona, r: RegisteredRoute, u: string, problem: string) => void): void {
  if (CONTACT_ROUTE.test(route.fullPath) && a.status < 400) {
    flag(persona, route, url, `answered ${a.status} for a hidden contact`);
    return;
  }
  if (a.status !== b.status) {
    flag(persona, route, url, `answered ${a.status} for a hidden contact but ${b.status} for one that does not exist`);
    return;
  }
  const left = normalize(a.text, ids);
  const right = normalize(b.text, [NO_SUCH_ID]);
  if (left !== right) flag(persona, route, url, `answers differently for a hidden contact than for one that does not exist: ${difference(left, right)}`);
}

const READ_CONCURRENCY = 4;

/** Runs `fn` over the items, at most `n` at a time, keeping their order. */
async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** What a write could change on a contact: its row, its history, notes and grants. */
async function snapshot(host: TestHost, id: number): Promise<string> {
  const q = async (sql: string) => {
    const [rows] = await host.db.query(sql, { replacements: [id] });
    return JSON.stringify((rows as Json[])[0] ?? null);
  };
  const [row] = await host.db.query('SELECT version, deleted_at, class_id, responsible_id, is_staff FROM crm_contacts WHERE id = ?', { replacements: [id] });
  const r = (row as Json[])[0];
  return [
    r ? r.version : 'gone',
    JSON.stringify(r ?? null),
    await q('SELECT COUNT(*) AS n FROM crm_history WHERE contact_id = ?'),
    await q('SELECT COUNT(*) AS n FROM crm_notes WHERE contact_id = ?'),
    await q('SELECT COUNT(*) AS n FROM access_contact_grants WHERE contact_id = ?'),
  ].join('|');
}

export function describeFindings(findings: Finding[]): string[] {
  return findings.map((f) => `[${f.persona}] ${f.method} ${f.url} (${f.route}): ${f.problem}`);
}

