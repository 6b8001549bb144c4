/**
 * Sessions (database store, or Redis when REDIS_URL is set), CSRF (synchronizer token kept in
 * the session; bearer-token calls are exempt), security headers and the login rate limit.
 */
import connectSessionSequelize from 'connect-session-sequelize';
import { RedisStore } from 'connect-redis';
import type { RequestHandler } from 'express';
import session from 'express-session';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { csrfSync } from 'csrf-sync';
import { RedisStore as RateLimitRedisStore } from 'rate-limit-redis';
import type { createClient } from 'redis';
import { DataTypes, type Sequelize } from 'sequelize';
import { HttpError, type HostConfig } from '../api.js';

export interface SessionSetup {
  middleware: RequestHandler;
  close(): Promise<void>;
}

export type RedisClient = ReturnType<typeof createClient>;

export async function sessionMiddleware(config: HostConfig, db: Sequelize, redis: RedisClient | null): Promise<SessionSetup> {
  let store: session.Store;
  let close = async () => {};
  if (redis) {
    store = new RedisStore({ client: redis, prefix: 'crm:sess:' });
  } else {
    if (!db.models.HostSession) {
      db.define('HostSession', { sid: { type: DataTypes.STRING(190), primaryKey: true }, expires: DataTypes.DATE, data: DataTypes.TEXT }, { tableName: 'host_sessions' });
    }
    const SequelizeStore = connectSessionSequelize(session.Store);
    const sequelizeStore = new SequelizeStore({ db, table: 'HostSession', checkExpirationInterval: 15 * 60 * 1000, expiration: 7 * 86400_000 });
    store = sequelizeStore;
    close = async () => sequelizeStore.stopExpiringSessions();
  }
  const middleware = session({
    name: 'crm.sid',
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.env === 'production' ? 'auto' : false, maxAge: 7 * 86400_000 },
  });
  return { middleware, close };
}

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Bootstrap components and progress bars set style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}

const csrf = csrfSync({
  getTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?._csrf ?? (req.get('x-csrf-token') || undefined),
  // Only requests that carry a signed-in session can be forged into acting for someone. Bearer
  // calls carry no ambient credentials; anonymous calls reach their route and get 401 there. The
  // sign-in form is checked too, so nobody can be signed into someone else's account.
  skipCsrfProtection: (req) => Boolean(req.viaToken) || (!req.session?.userId && req.path !== '/login'),
});

export const csrfProtection: RequestHandler = (req, res, next) =>
  csrf.csrfSynchronisedProtection(req, res, (err?: unknown) => next(err ? new HttpError(403, 'csrf_failed', 'host:errors.csrf_failed') : undefined));

export const csrfToken = (req: Parameters<RequestHandler>[0]): string => csrf.generateToken(req);

/** Counts failed sign-ins per client address; successful ones do not use up the allowance. */
export function loginRateLimit(config: HostConfig, redis: RedisClient | null): RequestHandler {
  return rateLimit({
    // Shared by every instance behind the load balancer when Redis is there.
    ...(redis ? { store: new RateLimitRedisStore({ prefix: 'crm:rl:', sendCommand: (...args: string[]) => redis.sendCommand(args) }) } : {}),
    windowMs: config.loginRateLimit.windowMs,
    limit: config.loginRateLimit.max,
    skipSuccessfulRequests: true,
    // Per address and account: one office behind a NAT does not lock out colleagues.
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${String((req.body as { email?: unknown } | undefined)?.email ?? '').trim().toLowerCase()}`,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next, options) =>
      next(new HttpError(429, 'too_many_requests', 'host:errors.too_many_requests', undefined, { retryAfter: Math.ceil(options.windowMs / 1000) })),
  });
}
