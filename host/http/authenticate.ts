/**
 * Who is calling and in which language: a bearer token or the session's user, then the
 * language from the user's choice, the session, Accept-Language, or English.
 */
import type { RequestHandler } from 'express';
import { LANGUAGES, type UsersService } from '../api.js';
import type { ApiTokens } from '../auth/api-tokens.js';
import type { I18nServiceImpl } from '../i18n/i18n-service.js';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    locale?: string;
    flash?: Array<{ type: 'success' | 'danger' | 'info' | 'warning'; message: string }>;
  }
}

export function authenticate(users: UsersService, tokens: ApiTokens, i18n: I18nServiceImpl): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (bearer) {
      const userId = await tokens.verify(bearer);
      req.user = userId ? ((await users.currentUser(userId)) ?? undefined) : undefined;
      req.viaToken = true;
    } else if (req.session?.userId) {
      req.user = (await users.currentUser(req.session.userId)) ?? undefined;
      if (!req.user) delete req.session.userId; // deactivated or deleted meanwhile
    }
    const accepted = req.acceptsLanguages([...LANGUAGES]);
    req.language = i18n.pick(req.user?.locale ?? req.session?.locale ?? (accepted || 'en'));
    req.t = i18n.fixedT(req.language);
    next();
  };
}

export { flash } from '../api.js';
