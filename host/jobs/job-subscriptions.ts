/**
 * Listeners of one job's state (the SSE endpoint, `waitFor`). Jobs run here are published
 * in-process; jobs run by another instance are seen by polling the row while anybody listens.
 * A listener is called only when something it can see changed, so both sources can feed it.
 */
import type { Logger } from 'pino';
import type { JobInfo } from '../api.js';
import { isFinal } from './job-store.js';

export type JobListener = (job: JobInfo) => void;

interface Topic {
  listeners: Set<JobListener>;
  lastKey: string | null;
  last: JobInfo | null;
  timer: NodeJS.Timeout | null;
}

function keyOf(job: JobInfo): string {
  return JSON.stringify([job.state, job.processed, job.total, job.error]);
}

export class JobSubscriptions {
  private readonly topics = new Map<string, Topic>();

  constructor(
    private readonly load: (id: string) => Promise<JobInfo | null>,
    private readonly logger: Logger,
    private readonly pollMs = 500,
  ) {}

  /** The listener first gets the current state (from the first poll), then every change. */
  subscribe(id: string, listener: JobListener): () => void {
    let topic = this.topics.get(id);
    if (!topic) {
      topic = { listeners: new Set(), lastKey: null, last: null, timer: null };
      this.topics.set(id, topic);
      this.schedule(id, topic, 0);
    } else if (topic.lastKey !== null) {
      // A late listener still wants the current state: let the next poll resend it.
      topic.lastKey = null;
      if (!topic.timer) this.schedule(id, topic, 0);
    }
    topic.listeners.add(listener);
    return () => {
      const current = this.topics.get(id);
      if (!current) return;
      current.listeners.delete(listener);
      if (current.listeners.size === 0) {
        if (current.timer) clearTimeout(current.timer);
        this.topics.delete(id);
      }
    };
  }

  publish(job: JobInfo, fromPoll = false): void {
    const topic = this.topics.get(job.id);
    if (!topic) return;
    const key = keyOf(job);
    if (key === topic.lastKey) return;
    // A poll that read the row just before an in-process update must not move the bar back.
    if (fromPoll && topic.last && topic.lastKey !== null && topic.last.state === job.state && job.processed < topic.last.processed) return;
    topic.lastKey = key;
    topic.last = job;
    for (const listener of [...topic.listeners]) {
      try {
        listener(job);
      } catch (err) {
        this.logger.warn({ err, job: job.id }, 'job listener threw');
      }
    }
    // Nothing changes after the end: stop polling, keep the listeners until they unsubscribe.
    if (isFinal(job.state) && topic.timer) {
      clearTimeout(topic.timer);
      topic.timer = null;
    }
  }

  private schedule(id: string, topic: Topic, delay: number): void {
    topic.timer = setTimeout(() => void this.poll(id, topic), delay);
    // Polling alone must not keep a process alive; whoever waits holds its own timer.
    topic.timer.unref();
  }

  private async poll(id: string, topic: Topic): Promise<void> {
    topic.timer = null;
    let job: JobInfo | null = null;
    try {
      job = await this.load(id);
    } catch (err) {
      this.logger.warn({ err, job: id }, 'job poll failed');
    }
    if (this.topics.get(id) !== topic) return; // everybody unsubscribed meanwhile
    if (job) this.publish(job, true);
    if (!job || !isFinal(job.state)) this.schedule(id, topic, this.pollMs);
  }
}
