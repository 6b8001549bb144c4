/**
 * Job progress for people and programs: a page with a live progress bar, the job as JSON,
 * server-sent events while it runs, and cancel. Users see their own jobs; administrators all.
 */
import type { Request } from 'express';
import { HttpError, TOKENS, type CurrentUser, type HostServices, type JobInfo, type ViewRenderer } from '../api.js';
import type { RouteRegistry } from '../http/route-registry.js';
import type { JobRunnerImpl } from './job-runner.js';

export function jobJson(job: JobInfo) {
  return {
    id: job.id,
    type: job.type,
    state: job.state,
    processed: job.processed,
    total: job.total,
    percent: job.total ? Math.min(100, Math.round((job.processed / job.total) * 100)) : job.state === 'done' ? 100 : null,
    result: job.result ?? null,
    error: job.error,
    created_at: job.createdAt,
    finished_at: job.finishedAt,
  };
}

const ENDED = new Set(['done', 'failed', 'cancelled']);

export function registerJobRoutes(routes: RouteRegistry, services: HostServices): void {
  const jobs = () => services.get<JobRunnerImpl>(TOKENS.Jobs);

  /** 404 for a job that is not the caller's: never reveal that it exists. */
  const visibleJob = async (req: Request): Promise<JobInfo> => {
    const job = await jobs().get(String(req.params.id));
    const user = req.user as CurrentUser;
    if (!job || (job.userId !== user.id && !user.isAdmin)) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    return job;
  };

  routes.add('host', {
    method: 'get',
    path: '/jobs/:id',
    handler: async (req, res) => {
      const job = await visibleJob(req);
      res.type('html').send(
        await services.get<ViewRenderer>(TOKENS.Views).renderPage(req, 'host/job', { title: req.t('host:jobs.title'), job: jobJson(job), back: typeof req.query.back === 'string' && req.query.back.startsWith('/') ? req.query.back : null }),
      );
    },
  });

  routes.add('host', { method: 'get', path: '/jobs/:id', api: true, summary: 'A background job and its progress', handler: async (req, res) => res.json(jobJson(await visibleJob(req))) });

  routes.add('host', {
    method: 'delete',
    path: '/jobs/:id',
    api: true,
    summary: 'Cancel a background job',
    handler: async (req, res) => {
      const job = await visibleJob(req);
      await jobs().cancel(job.id);
      res.status(202).json(jobJson((await jobs().get(job.id))!));
    },
  });

  routes.add('host', {
    method: 'get',
    path: '/jobs/:id/events',
    api: true,
    summary: 'Server-sent events with the job progress until it ends',
    handler: async (req, res) => {
      const job = await visibleJob(req);
      res.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      const send = (j: JobInfo) => {
        res.write(`event: progress\ndata: ${JSON.stringify(jobJson(j))}\n\n`);
        if (ENDED.has(j.state)) {
          cleanup();
          res.end();
        }
      };
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15000);
      const unsubscribe = jobs().subscribe(job.id, send);
      const cleanup = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      req.on('close', cleanup);
      send(job);
    },
  });
}
