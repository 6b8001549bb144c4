/** The manifest, locales and view of a new plugin, as functions returning file contents. */
import type { Language } from '../../api.js';
import type { PluginNames } from './plugin-names.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function manifestFile(n: PluginNames): string {
  return json({
    id: n.id,
    name: { en: n.title, pl: n.title, ru: n.title, uk: n.title },
    version: '0.1.0',
    host: '^1.0.0',
    main: 'index.ts',
    icon: 'puzzle',
    rights: [{ id: `${n.id}.manage`, label: `${n.id}:rights.manage` }],
  });
}

interface LocaleText {
  empty: string;
  title: string;
  created: string;
  add: string;
  placeholder: string;
  manage: (name: string) => string;
}

const TEXT: Record<Language, LocaleText> = {
  en: { empty: 'Nothing here yet.', title: 'Title', created: 'Created', add: 'Add', placeholder: 'New item', manage: (n) => `Manage ${n}` },
  pl: { empty: 'Na razie nic tu nie ma.', title: 'Tytuł', created: 'Utworzono', add: 'Dodaj', placeholder: 'Nowy element', manage: (n) => `Zarządzanie: ${n}` },
  ru: { empty: 'Здесь пока ничего нет.', title: 'Название', created: 'Создано', add: 'Добавить', placeholder: 'Новая запись', manage: (n) => `Управление: ${n}` },
  uk: { empty: 'Тут поки нічого немає.', title: 'Назва', created: 'Створено', add: 'Додати', placeholder: 'Новий запис', manage: (n) => `Керування: ${n}` },
};

/** The same keys in every language. */
export function localeFile(n: PluginNames, language: Language): string {
  const t = TEXT[language];
  return json({
    title: n.title,
    empty: t.empty,
    items: { title: t.title, created: t.created, add: t.add, placeholder: t.placeholder },
    rights: { manage: t.manage(n.title) },
  });
}

export function indexView(n: PluginNames): string {
  return `<div class="d-flex flex-wrap align-items-center justify-content-between gap-2 mb-3">
  <h1 class="h3 mb-0"><i class="bi bi-puzzle me-2 text-primary"></i>{{t "${n.id}:title"}}</h1>
  {{#if canManage}}
  <form class="d-flex gap-2" method="post" action="/${n.id}/items">
    <input type="hidden" name="_csrf" value="{{csrfToken}}">
    <label class="visually-hidden" for="${n.id}-title">{{t "${n.id}:items.title"}}</label>
    <input class="form-control" id="${n.id}-title" name="title" maxlength="190" required placeholder="{{t "${n.id}:items.placeholder"}}">
    <button class="btn btn-primary text-nowrap" type="submit"><i class="bi bi-plus-lg me-1"></i>{{t "${n.id}:items.add"}}</button>
  </form>
  {{/if}}
</div>
{{#if items.length}}
<div class="card shadow-sm">
  <div class="table-responsive">
    <table class="table table-hover align-middle mb-0" data-testid="${n.id}-items">
      <thead class="table-light">
        <tr>
          <th scope="col">{{t "${n.id}:items.title"}}</th>
          <th scope="col">{{t "${n.id}:items.created"}}</th>
        </tr>
      </thead>
      <tbody>
        {{#each items}}
        <tr>
          <td>{{title}}</td>
          <td class="text-body-secondary small">{{date createdAt}}</td>
        </tr>
        {{/each}}
      </tbody>
    </table>
  </div>
</div>
{{else}}
<div class="alert alert-light border" data-testid="${n.id}-empty">{{t "${n.id}:empty"}}</div>
{{/if}}
`;
}
