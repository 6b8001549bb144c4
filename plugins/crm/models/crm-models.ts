/**
 * Sequelize models of the CRM's tables (created by its migrations, never by sync()), defined per
 * Sequelize instance so several hosts can share a process in tests.
 */
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface ContactRow extends Model {
  id: number;
  kind: 'person' | 'company';
  display_name: string;
  name_key: string;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  company_name: string | null;
  job_title: string | null;
  external_id: string | null;
  company_id: number | null;
  buyer_id: number | null;
  status_id: number | null;
  category_id: number | null;
  client_type_id: number | null;
  source_id: number | null;
  class_id: number | null;
  responsible_id: number | null;
  is_staff: boolean;
  user_id: number | null;
  birthday: string | null;
  comment: string | null;
  photo: string | null;
  has_email: boolean;
  has_phone: boolean;
  version: number;
  created_by: number | null;
  deleted_at: Date | null;
  merged_into_id: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface ChannelRow extends Model {
  id: number;
  contact_id: number;
  type: string;
  subtype: string | null;
  value: string;
  normalized: string;
  is_primary: boolean;
  consent: boolean;
  sort: number;
}

export interface AddressRow extends Model {
  id: number;
  contact_id: number;
  label: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  zip: string | null;
  street: string | null;
  sort: number;
}

export interface SearchTermRow extends Model {
  term: string;
  contact_id: number;
  /** The contact's name_key, for name searches answered from the terms alone (migration 0009). */
  name_key: string;
}

export interface FieldRow extends Model {
  id: number;
  key: string;
  type: string;
  labels: string;
  required: boolean;
  sort: number;
  in_list: boolean;
  options: string | null;
  active: boolean;
  created_at: Date;
}

export interface FieldValueRow extends Model {
  id: number;
  contact_id: number;
  field_id: number;
  value_text: string | null;
  value_number: string | number | null;
  value_date: string | null;
  value_long: string | null;
}

export interface DictionaryRow extends Model {
  id: number;
  dictionary: string;
  name: string;
  labels: string | null;
  color: string | null;
  sort: number;
  active: boolean;
}

export interface NoteRow extends Model {
  id: number;
  contact_id: number;
  author_id: number | null;
  body: string;
  pinned: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface HistoryRow extends Model {
  id: number;
  contact_id: number;
  user_id: number | null;
  action: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  created_at: Date;
}

export interface CrmModels {
  Contact: ModelStatic<ContactRow>;
  Channel: ModelStatic<ChannelRow>;
  Address: ModelStatic<AddressRow>;
  SearchTerm: ModelStatic<SearchTermRow>;
  Field: ModelStatic<FieldRow>;
  FieldValue: ModelStatic<FieldValueRow>;
  Dictionary: ModelStatic<DictionaryRow>;
  Note: ModelStatic<NoteRow>;
  History: ModelStatic<HistoryRow>;
}

const plain = { timestamps: false } as const;
const stamped = { timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' } as const;

export function crmModels(db: Sequelize): CrmModels {
  const existing = db.models.CrmContact;
  if (existing) {
    const m = db.models;
    return {
      Contact: m.CrmContact,
      Channel: m.CrmChannel,
      Address: m.CrmAddress,
      SearchTerm: m.CrmSearchTerm,
      Field: m.CrmField,
      FieldValue: m.CrmFieldValue,
      Dictionary: m.CrmDictionary,
      Note: m.CrmNote,
      History: m.CrmHistory,
    } as unknown as CrmModels;
  }
  const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true };
  const str = DataTypes.STRING(190);
  const Contact = db.define<ContactRow>(
    'CrmContact',
    {
      id,
      kind: DataTypes.STRING(10),
      display_name: str,
      name_key: str,
      first_name: str,
      middle_name: str,
      last_name: str,
      company_name: str,
      job_title: str,
      external_id: str,
      company_id: DataTypes.INTEGER,
      buyer_id: DataTypes.INTEGER,
      status_id: DataTypes.INTEGER,
      category_id: DataTypes.INTEGER,
      client_type_id: DataTypes.INTEGER,
      source_id: DataTypes.INTEGER,
      class_id: DataTypes.INTEGER,
      responsible_id: DataTypes.INTEGER,
      is_staff: DataTypes.BOOLEAN,
      user_id: DataTypes.INTEGER,
      birthday: DataTypes.DATEONLY,
      comment: DataTypes.TEXT,
      photo: str,
      has_email: DataTypes.BOOLEAN,
      has_phone: DataTypes.BOOLEAN,
      version: DataTypes.INTEGER,
      created_by: DataTypes.INTEGER,
      deleted_at: DataTypes.DATE,
      merged_into_id: DataTypes.INTEGER,
    },
    { ...stamped, tableName: 'crm_contacts' },
  );
  const Channel = db.define<ChannelRow>(
    'CrmChannel',
    {
      id,
      contact_id: DataTypes.INTEGER,
      type: DataTypes.STRING(20),
      subtype: DataTypes.STRING(40),
      value: str,
      normalized: str,
      is_primary: DataTypes.BOOLEAN,
      consent: DataTypes.BOOLEAN,
      sort: DataTypes.INTEGER,
    },
    { ...plain, tableName: 'crm_channels' },
  );
  const Address = db.define<AddressRow>(
    'CrmAddress',
    {
      id,
      contact_id: DataTypes.INTEGER,
      label: DataTypes.STRING(40),
      country: DataTypes.STRING(100),
      region: DataTypes.STRING(100),
      city: DataTypes.STRING(100),
      zip: DataTypes.STRING(20),
      street: str,
      sort: DataTypes.INTEGER,
    },
    { ...plain, tableName: 'crm_addresses' },
  );
  const SearchTerm = db.define<SearchTermRow>(
    'CrmSearchTerm',
    { term: { type: DataTypes.STRING(64), primaryKey: true }, contact_id: { type: DataTypes.INTEGER, primaryKey: true }, name_key: DataTypes.STRING(190) },
    { ...plain, tableName: 'crm_search_terms' },
  );
  const Field = db.define<FieldRow>(
    'CrmField',
    {
      id,
      key: DataTypes.STRING(64),
      type: DataTypes.STRING(20),
      labels: DataTypes.TEXT,
      required: DataTypes.BOOLEAN,
      sort: DataTypes.INTEGER,
      in_list: DataTypes.BOOLEAN,
      options: DataTypes.TEXT,
      active: DataTypes.BOOLEAN,
    },
    { timestamps: true, createdAt: 'created_at', updatedAt: false, tableName: 'crm_fields' },
  );
  const FieldValue = db.define<FieldValueRow>(
    'CrmFieldValue',
    {
      id,
      contact_id: DataTypes.INTEGER,
      field_id: DataTypes.INTEGER,
      value_text: str,
      value_number: DataTypes.DECIMAL(20, 4),
      value_date: DataTypes.DATEONLY,
      value_long: DataTypes.TEXT,
    },
    { ...plain, tableName: 'crm_field_values' },
  );
  const Dictionary = db.define<DictionaryRow>(
    'CrmDictionary',
    { id, dictionary: DataTypes.STRING(20), name: str, labels: DataTypes.TEXT, color: DataTypes.STRING(20), sort: DataTypes.INTEGER, active: DataTypes.BOOLEAN },
    { ...plain, tableName: 'crm_dictionary_items' },
  );
  const Note = db.define<NoteRow>(
    'CrmNote',
    { id, contact_id: DataTypes.INTEGER, author_id: DataTypes.INTEGER, body: DataTypes.TEXT, pinned: DataTypes.BOOLEAN },
    { ...stamped, tableName: 'crm_notes' },
  );
  const History = db.define<HistoryRow>(
    'CrmHistory',
    {
      id,
      contact_id: DataTypes.INTEGER,
      user_id: DataTypes.INTEGER,
      action: DataTypes.STRING(40),
      field: DataTypes.STRING(100),
      old_value: DataTypes.TEXT,
      new_value: DataTypes.TEXT,
    },
    { timestamps: true, createdAt: 'created_at', updatedAt: false, tableName: 'crm_history' },
  );
  return { Contact, Channel, Address, SearchTerm, Field, FieldValue, Dictionary, Note, History };
}
