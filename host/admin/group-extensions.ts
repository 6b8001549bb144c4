/**
 * Plugin settings on groups (the `host.group-extension/v1` extension point): the API schema grows
 * by their properties, the group JSON carries their values, and the group form shows their
 * sections. Everything is validated before anything is written.
 */
import type { Request } from 'express';
import { HttpError, TOKENS, groupExtensions, type ExtensionRegistry, type FieldError, type GroupExtension, type HostServices, type JsonSchema, type ValidationService, type ViewRenderer } from '../api.js';

export class GroupExtensionsSupport {
  constructor(private readonly services: HostServices) {}

  list(): GroupExtension[] {
    return this.services.get<ExtensionRegistry>(TOKENS.Extensions).list(groupExtensions);
  }

  /** The body schema of `POST|PATCH /api/v1/groups` with every extension's properties. */
  schema(base: Record<string, JsonSchema>, required: string[], minProperties = 0): JsonSchema {
    const properties = { ...base };
    for (const ext of this.list()) Object.assign(properties, ext.properties);
    return { type: 'object', additionalProperties: false, properties, required, ...(minProperties ? { minProperties } : {}) };
  }

  /** Validates an API body and each extension's own checks; throws 400 with every problem. */
  async validate(schema: JsonSchema, body: unknown): Promise<void> {
    const errors: FieldError[] = this.services.get<ValidationService>(TOKENS.Validation).validate(schema, body);
    if (!errors.length) for (const ext of this.list()) if (ext.check) errors.push(...(await ext.check(this.own(ext, body as Record<string, unknown>))));
    if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
  }

  private own(ext: GroupExtension, input: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.keys(ext.properties).filter((k) => k in input).map((k) => [k, input[k]]));
  }

  async write(groupId: number, input: Record<string, unknown>): Promise<void> {
    for (const ext of this.list()) {
      const values = this.own(ext, input);
      if (Object.keys(values).length) await ext.write(groupId, values);
    }
  }

  /** Every extension's values for these groups, merged per group. */
  async values(groupIds: number[]): Promise<Map<number, Record<string, unknown>>> {
    const out = new Map<number, Record<string, unknown>>(groupIds.map((id) => [id, {}]));
    for (const ext of this.list()) {
      for (const [id, values] of await ext.read(groupIds)) Object.assign(out.get(id) ?? {}, values);
    }
    return out;
  }

  /** Each extension's form section, rendered by its plugin's view and marked for embedding. */
  async forms(req: Request, values: Record<string, unknown>): Promise<Array<{ id: string; html: unknown }>> {
    const views = this.services.get<ViewRenderer>(TOKENS.Views);
    return Promise.all(
      this.list().map(async (ext) => ({ id: `${(ext as GroupExtension & { pluginId: string }).pluginId}.${ext.id}`, html: views.rendered(await ext.renderForm(req, values)) })),
    );
  }

  parseForms(body: Record<string, unknown>): Record<string, unknown> {
    return Object.assign({}, ...this.list().map((ext) => ext.parseForm(body)));
  }
}
