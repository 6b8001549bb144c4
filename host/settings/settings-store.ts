/** Key-value settings by scope (`host`, `<pluginId>`, `user:<id>`), stored as JSON. */
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import { TOKENS, inject, injectable, type SettingsStore } from '../api.js';

interface SettingRow extends Model {
  scope: string;
  key: string;
  value: string;
}

@injectable()
export class SettingsStoreImpl implements SettingsStore {
  private readonly Setting: ModelStatic<SettingRow>;

  constructor(@inject(TOKENS.Database) db: Sequelize) {
    this.Setting =
      (db.models.HostSetting as ModelStatic<SettingRow> | undefined) ??
      db.define<SettingRow>(
        'HostSetting',
        { scope: { type: DataTypes.STRING(190), primaryKey: true }, key: { type: DataTypes.STRING(190), primaryKey: true }, value: DataTypes.TEXT },
        { tableName: 'host_settings', timestamps: true, createdAt: false, updatedAt: 'updated_at' },
      );
  }

  async get<T>(scope: string, key: string): Promise<T | null> {
    const row = await this.Setting.findOne({ where: { scope, key } });
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async set(scope: string, key: string, value: unknown): Promise<void> {
    await this.Setting.upsert({ scope, key, value: JSON.stringify(value) });
  }
}
