/**
 * API tokens for integrators: random 256-bit values, of which only a SHA-256 hash is stored, so a
 * leaked database does not leak usable tokens.
 */
import crypto from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { hostModels, type HostModels } from '../users/host-models.js';

const TOKEN_TTL_DAYS = 90;

export class ApiTokens {
  private readonly m: HostModels;

  constructor(db: Sequelize) {
    this.m = hostModels(db);
  }

  private hash(token: string): string {
    return crypto.createHash('sha256').update(token).digest('hex');
  }

  async issue(userId: number): Promise<{ token: string; expiresAt: Date }> {
    const token = crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + TOKEN_TTL_DAYS * 86400_000);
    await this.m.ApiToken.create({ user_id: userId, token_hash: this.hash(token), expires_at: expiresAt });
    return { token, expiresAt };
  }

  /** The user id of a valid token, else null. */
  async verify(token: string): Promise<number | null> {
    const row = await this.m.ApiToken.findOne({ where: { token_hash: this.hash(token) } });
    if (!row || (row.expires_at && row.expires_at.getTime() < Date.now())) return null;
    // Write last use at most once a minute: a busy integration should not write on every call.
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) await row.update({ last_used_at: new Date() });
    return row.user_id;
  }

  async revokeAll(userId: number): Promise<void> {
    await this.m.ApiToken.destroy({ where: { user_id: userId } });
  }
}
