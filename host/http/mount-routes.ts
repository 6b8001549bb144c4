/**
 * Mounts every declared route with the same chain: plugin gate (404 when disabled), sign-in
 * (401), right (403), content type (415), input validation (400 per field), then the handler.
 */
import express, { type Request, type RequestHandler, type Router } from 'express';
import { HttpError, type PluginManager } from '../api.js';
import type { Validator } from '../validation/validator.js';
import type { RegisteredRoute, RouteRegistry } from './route-registry.js';

function gate(route: RegisteredRoute, plugins: PluginManager): RequestHandler {
  return (_req, _res, next) => next(plugins.isEnabled(route.pluginId) ? undefined : new HttpError(404, 'not_found', 'host:errors.not_found'));
}

function guard(route: RegisteredRoute): RequestHandler {
  return (req, _res, next) => {
    if (route.public) return next();
    if (!req.user) return next(new HttpError(401, 'unauthorized', 'host:errors.unauthorized'));
    if (route.right && !req.user.can(route.right)) return next(new HttpError(403, 'forbidden', 'host:errors.forbidden'));
    next();
  };
}

const BODY_METHODS = new Set(['post', 'put', 'patch']);

function bodyTypeCheck(route: RegisteredRoute): RequestHandler {
  return (req, _res, next) => {
    if (!route.api || !route.body || !BODY_METHODS.has(route.method)) return next();
    const length = Number(req.get('content-length') ?? 0);
    if ((length > 0 || req.get('transfer-encoding')) && !req.is('application/json')) {
      return next(new HttpError(415, 'unsupported_media_type', 'host:errors.unsupported_media_type'));
    }
    next();
  };
}

function validate(route: RegisteredRoute, validator: Validator): RequestHandler {
  return (req: Request, _res, next) => {
    if (route.query) {
      const query = { ...(req.query as Record<string, unknown>) };
      const errors = validator.validate(route.query, query, true);
      if (errors.length) return next(new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors));
      Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true });
    }
    if (route.body) {
      if (req.body === undefined) req.body = {};
      // Forms post strings; JSON bodies keep their types.
      const errors = validator.validate(route.body, req.body, !route.api);
      if (errors.length) return next(new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors));
    }
    next();
  };
}

export function mountRoutes(registry: RouteRegistry, plugins: PluginManager, validator: Validator): Router {
  const router = express.Router();
  for (const route of registry.all()) {
    router[route.method](
      route.fullPath,
      gate(route, plugins),
      guard(route),
      ...(route.before ?? []),
      bodyTypeCheck(route),
      validate(route, validator),
      async (req, res, next) => {
        await route.handler(req, res, next);
      },
    );
  }
  return router;
}
