/**
 * The one error format: `{error: {code, message, details}}` for the API and JSON callers, an
 * HTML error page for browsers. Messages are translated into the caller's language; bad input
 * never becomes a 500.
 */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpError, type FieldError, type ViewRenderer } from '../api.js';
import { PluginStateError } from '../plugins/plugin-manager.js';

export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || (req.get('accept') ?? '').startsWith('application/json') || req.get('hx-request') === 'true';
}

/** Maps errors thrown by body parsers, multer and the host into HttpError. */
export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof PluginStateError) return new HttpError(409, 'conflict', err.messageKey, undefined, err.params);
  const e = err as { type?: string; status?: number; code?: string; statusCode?: number };
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FILE_SIZE' || e?.code === 'LIMIT_FIELD_VALUE') {
    return new HttpError(413, 'payload_too_large', 'host:errors.payload_too_large');
  }
  if (e?.type === 'entity.parse.failed') return new HttpError(400, 'invalid_json', 'host:errors.invalid_json');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new HttpError(415, 'unsupported_media_type', 'host:errors.unsupported_media_type');
  }
  if (typeof e?.code === 'string' && e.code.startsWith('LIMIT_')) return new HttpError(400, 'upload_limit', 'host:errors.upload_limit');
  if (e?.code === 'EBADCSRFTOKEN' || (e?.statusCode === 403 && /csrf/i.test(String((err as Error).message)))) {
    return new HttpError(403, 'csrf_failed', 'host:errors.csrf_failed');
  }
  // Other client errors from Express middleware (static files, routing) keep their status.
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return status === 404 ? new HttpError(404, 'not_found', 'host:errors.not_found') : new HttpError(status, 'bad_request', 'host:errors.invalid_input');
  }
  return null;
}

export function translateDetails(req: Request, details: HttpError['details']): unknown {
  if (!Array.isArray(details)) return details ?? null;
  return details.map((d: FieldError) => ({ field: d.field, code: d.code, message: req.t(d.message, d.params ?? {}) }));
}

export function errorBody(req: Request, err: HttpError): { error: { code: string; message: string; details: unknown } } {
  return { error: { code: err.code, message: req.t(err.messageKey, err.params ?? {}), details: translateDetails(req, err.details) } };
}

export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(new HttpError(404, 'not_found', 'host:errors.not_found'));
}

export function errorHandler(logger: Logger, views: ViewRenderer): ErrorRequestHandler {
  return async (err, req, res, _next) => {
    let httpError = toHttpError(err);
    if (!httpError) {
      logger.error({ err, url: req.originalUrl, method: req.method }, 'unhandled error');
      httpError = new HttpError(500, 'internal_error', 'host:errors.internal');
    }
    if (res.headersSent) return void res.end();
    if (typeof req.t !== 'function') req.t = ((k: string) => k) as unknown as Request['t'];
    res.status(httpError.status);
    if (httpError.status === 429) res.set('Retry-After', String(Math.ceil(Number(httpError.params?.retryAfter ?? 60))));
    if (wantsJson(req)) return void res.json(errorBody(req, httpError));
    if (httpError.status === 401) return void res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
    try {
      const html = await views.renderPage(req, 'host/error', {
        title: req.t(`host:errors.title_${httpError.status}`, { defaultValue: req.t('host:errors.title') }),
        status: httpError.status,
        message: req.t(httpError.messageKey, httpError.params ?? {}),
        details: translateDetails(req, httpError.details),
      });
      res.type('html').send(html);
    } catch (renderErr) {
      logger.error({ err: renderErr }, 'error page failed to render');
      res.type('text').send(req.t(httpError.messageKey));
    }
  };
}
