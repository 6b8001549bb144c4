/**
 * The public surface of the responsible-managers plugin: who looks after how many clients
 * (inside the caller's access scope), reassigning every client of a user as a background job,
 * and claiming free clients from the pool.
 */
import type { CurrentUser } from '../../host/api.js';
import type { Contact } from '../crm/api.js';

export const ResponsibleTokens = {
  Managers: Symbol.for('responsible.Managers'),
  Reassign: Symbol.for('responsible.Reassign'),
  Pool: Symbol.for('responsible.Pool'),
} as const;

export const RIGHTS = {
  /** Reassign every client of a user (e.g. one who leaves) to other managers. */
  reassign: 'responsible.reassign',
  /** Take free (unassigned) clients from the pool. */
  claim: 'responsible.claim',
} as const;

/** The job type of a reassignment (`JobRunner.enqueue`), its payload and its result. */
export const REASSIGN_JOB = 'responsible.reassign';

export interface ReassignRequest {
  from_user_id: number;
  /** One manager takes them all; several share them evenly (round robin by contact id). */
  to_user_ids: number[];
}

export interface ReassignSummary {
  from: { id: number; name: string };
  moved: number;
  /** Contacts of the user that the caller may see but not change (class rules). */
  skipped: number;
  to: Array<{ user_id: number; name: string; count: number }>;
  cancelled: boolean;
}

export interface ManagerCount {
  user_id: number;
  name: string;
  email: string;
  /** False for a deactivated user who still has clients (someone who left). */
  active: boolean;
  /** Clients (not in the trash) the caller may see with this responsible. */
  count: number;
}

export interface ResponsibleOverview {
  /** CRM users (active with crm.access) and anyone else who still has clients, by name. */
  managers: ManagerCount[];
  /** Clients the caller may see with no responsible: the pool. */
  unassigned: number;
  total: number;
}

export interface ManagersService {
  /** Counts in one grouped query inside the caller's access scope. */
  overview(user: CurrentUser): Promise<ResponsibleOverview>;
  /** Users who may become responsible: active, with access to the CRM. */
  candidates(): Promise<Array<{ id: number; name: string; email: string }>>;
}

export interface ReassignService {
  /**
   * Checks the request (400 per field), then queues the job for `user` and returns its id. The job
   * moves the user's clients that `user` may see, in chunks, with history per contact.
   */
  start(user: CurrentUser, request: ReassignRequest): Promise<string>;
}

export interface PoolService {
  /**
   * Makes `user` responsible for a free client through the CRM (version check, history).
   * 409 `responsible:errors.already_claimed` when somebody claimed it first; with `version`,
   * 409 `responsible:errors.changed` when the client changed since. Claiming one's own client
   * again changes nothing.
   */
  claim(user: CurrentUser, contactId: number, version?: number): Promise<Contact>;
}
