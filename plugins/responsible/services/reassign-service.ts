/**
 * Starting a reassignment: the request is checked here, where the caller still gets field
 * errors, and the work runs as a host job (reassign-job.ts) with a progress bar.
 */
import { HttpError, TOKENS, inject, injectable, type CurrentUser, type FieldError, type JobRunner, type UsersService } from '../../../host/api.js';
import { REASSIGN_JOB, RIGHTS, type ReassignRequest, type ReassignService } from '../api.js';

export const MAX_TARGETS = 100;

@injectable()
export class ReassignServiceImpl implements ReassignService {
  constructor(
    @inject(TOKENS.Users) private readonly users: UsersService,
    @inject(TOKENS.Jobs) private readonly jobs: JobRunner,
  ) {}

  async start(user: CurrentUser, request: ReassignRequest): Promise<string> {
    if (!user.can(RIGHTS.reassign)) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
    const errors: FieldError[] = [];
    const from = Number.isInteger(request.from_user_id) && request.from_user_id > 0 ? await this.users.get(request.from_user_id) : null;
    if (!from) errors.push({ field: 'from_user_id', code: 'unknown', message: 'responsible:errors.unknown_user' });
    const targets = [...new Set(request.to_user_ids)];
    if (!targets.length) errors.push({ field: 'to_user_ids', code: 'required', message: 'responsible:errors.pick_targets' });
    else if (targets.length > MAX_TARGETS) errors.push({ field: 'to_user_ids', code: 'too_many', message: 'responsible:errors.too_many_targets', params: { max: MAX_TARGETS } });
    else if (targets.includes(request.from_user_id)) errors.push({ field: 'to_user_ids', code: 'same', message: 'responsible:errors.same_user' });
    else {
      for (const [i, id] of targets.entries()) {
        const target = Number.isInteger(id) && id > 0 ? await this.users.get(id) : null;
        if (!target || !target.isActive) errors.push({ field: `to_user_ids.${i}`, code: 'unknown', message: 'responsible:errors.unknown_target' });
      }
    }
    if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
    return this.jobs.enqueue<ReassignRequest>(REASSIGN_JOB, { from_user_id: request.from_user_id, to_user_ids: targets }, { userId: user.id });
  }
}
