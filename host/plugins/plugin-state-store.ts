/** The lifecycle state of each plugin, kept in `host_plugins`. */
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import type { PluginState } from '../api.js';

interface PluginRow extends Model {
  id: string;
  state: PluginState;
  version: string | null;
  error: string | null;
}

export interface StoredPluginState {
  state: PluginState;
  version: string | null;
  error: string | null;
}

export class PluginStateStore {
  private readonly Plugin: ModelStatic<PluginRow>;

  constructor(db: Sequelize) {
    this.Plugin =
      (db.models.HostPlugin as ModelStatic<PluginRow> | undefined) ??
      db.define<PluginRow>(
        'HostPlugin',
        { id: { type: DataTypes.STRING(100), primaryKey: true }, state: DataTypes.STRING(20), version: DataTypes.STRING(50), error: DataTypes.TEXT },
        { tableName: 'host_plugins', timestamps: true, createdAt: false, updatedAt: 'updated_at' },
      );
  }

  async all(): Promise<Map<string, StoredPluginState>> {
    const rows = await this.Plugin.findAll();
    return new Map(rows.map((r) => [r.id, { state: r.state, version: r.version, error: r.error }]));
  }

  async save(id: string, value: StoredPluginState): Promise<void> {
    await this.Plugin.upsert({ id, ...value });
  }
}
