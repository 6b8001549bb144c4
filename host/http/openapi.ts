/**
 * The OpenAPI 3.1 document, generated from the route registry so it cannot drift from the code:
 * every API route with its summary, right, parameters and request schema.
 */
import { HOST_VERSION } from '../api.js';
import type { RouteRegistry } from './route-registry.js';

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string', description: "In the caller's language" },
        details: { description: 'Per-field errors for 400: [{field, code, message}]' },
      },
    },
  },
};

export function openApiDocument(routes: RouteRegistry, isEnabled: (pluginId: string) => boolean): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes.all()) {
    if (!r.api || !isEnabled(r.pluginId)) continue;
    const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (const [name, schema] of Object.entries(query?.properties ?? {})) {
      params.push({ name, in: 'query', required: Boolean(query?.required?.includes(name)), schema: schema as { type: string } });
    }
    const responses: Record<string, unknown> = {
      default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    responses[r.method === 'post' ? '201' : r.method === 'delete' ? '204' : '200'] = { description: 'Success' };
    paths[path] = {
      ...(paths[path] ?? {}),
      [r.method]: {
        summary: r.summary ?? `${r.method.toUpperCase()} ${path}`,
        tags: [r.pluginId],
        ...(r.public ? { security: [] } : {}),
        ...(r.right ? { 'x-required-right': r.right } : {}),
        ...(params.length ? { parameters: params } : {}),
        ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
        ...(r.multipart ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: r.multipart } } } } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'CRM REST API', version: HOST_VERSION, description: 'Authenticate with POST /auth/token, then send Authorization: Bearer <token>.' },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'crm.sid' } },
      schemas: { Error: errorSchema },
    },
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
  };
}
