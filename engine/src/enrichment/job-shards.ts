import * as z from "zod";
import type { TimersPort, TimerId } from "../host/index.ts";
import type { Store } from "../storage/index.ts";
import { JobRecordSchema, type JobRecord } from "./types.ts";

/**
 * Jobs live in a fixed number of shard files (`jobs/shard-NN.json`): opening
 * a queue of a thousand jobs reads 8 small files instead of a thousand, and
 * a job's update rewrites only its shard, serialized from the in-memory state
 * (the authority), so coalesced writes of one shard never lose an update.
 */
export const JOB_SHARDS = 8;
const ShardSchema = z.object({ jobs: z.array(z.unknown()) });
const SHARD_KEY = /^jobs\/shard-\d+\.json$/;
/** Progress-only changes reach the disk at most this much later. */
const LAZY_WRITE_MS = 1000;

export function jobShardKey(jobId: string): string {
  let hash = 0;
  for (let i = 0; i < jobId.length; i++) hash = (hash * 31 + jobId.charCodeAt(i)) >>> 0;
  return `jobs/shard-${String(hash % JOB_SHARDS).padStart(2, "0")}.json`;
}

export type WritePriority = "critical" | "normal";

/** The in-memory job table and its sharded persistence. */
export class JobShards {
  readonly jobs = new Map<string, JobRecord>();
  private readonly members = new Map<string, Set<string>>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly lazy = new Map<string, TimerId>();
  private dead = false;

  constructor(private readonly store: Store, private readonly timers: TimersPort) {}

  /** Reads every shard; one bad record costs that record, never its shard. */
  async load(): Promise<JobRecord[]> {
    const keys = (await this.store.list("jobs/")).filter((key) => SHARD_KEY.test(key));
    const shards = await Promise.all(keys.map((key) => this.store.getJson(key, ShardSchema).catch(() => undefined)));
    const out: JobRecord[] = [];
    for (const shard of shards) {
      for (const raw of shard?.jobs ?? []) {
        const parsed = JobRecordSchema.safeParse(raw);
        if (parsed.success) {
          this.remember(parsed.data);
          out.push(parsed.data);
        }
      }
    }
    return out;
  }

  remember(job: JobRecord): void {
    if (!this.jobs.has(job.id)) {
      const key = jobShardKey(job.id);
      let members = this.members.get(key);
      if (members === undefined) this.members.set(key, (members = new Set()));
      members.add(job.id);
    }
    this.jobs.set(job.id, job);
  }

  /** Remembers and writes durably; resolves once the job's shard is on disk. */
  save(job: JobRecord, priority: WritePriority = "critical"): Promise<void> {
    this.remember(job);
    return this.write(jobShardKey(job.id), priority);
  }

  /** Remembers now, writes within a second (progress is informative, not a promise). */
  saveLater(job: JobRecord): void {
    this.remember(job);
    const key = jobShardKey(job.id);
    if (this.lazy.has(key) || this.dead) return;
    this.lazy.set(
      key,
      this.timers.setTimeout(() => {
        this.lazy.delete(key);
        if (!this.dead) void this.write(key, "normal").catch(() => undefined);
      }, LAZY_WRITE_MS),
    );
  }

  /**
   * Drops jobs from memory and returns each shard they were in as it must now
   * read, for the caller to write in its own commit (a deleted session's jobs).
   * Later writes of those shards serialize memory, so they cannot bring a job back.
   */
  drop(ids: ReadonlySet<string>): { key: string; jobs: JobRecord[] }[] {
    const touched = new Set<string>();
    for (const id of ids) {
      if (!this.jobs.delete(id)) continue;
      const key = jobShardKey(id);
      this.members.get(key)?.delete(id);
      touched.add(key);
    }
    return [...touched].map((key) => ({ key, jobs: [...(this.members.get(key) ?? [])].map((id) => this.jobs.get(id)).filter((job) => job !== undefined) }));
  }

  /** Writes a shard from memory; saves made in the same tick share one serialization. */
  write(key: string, priority: WritePriority): Promise<void> {
    const pending = this.pending.get(key);
    if (pending !== undefined) return pending;
    const write = Promise.resolve().then(() => {
      this.pending.delete(key);
      const jobs: JobRecord[] = [];
      for (const id of this.members.get(key) ?? []) {
        const job = this.jobs.get(id);
        if (job !== undefined) jobs.push(job);
      }
      return this.store.putJson(key, { jobs }, { priority });
    });
    this.pending.set(key, write);
    return write;
  }

  /** Writes whatever progress is still waiting for its lazy write. */
  async flush(): Promise<void> {
    const keys = [...this.lazy.keys()];
    for (const timer of this.lazy.values()) this.timers.clearTimeout(timer);
    this.lazy.clear();
    await Promise.all(keys.map((key) => this.write(key, "normal")));
  }

  /** Stops every later write (the process died, in tests). */
  abandon(): void {
    this.dead = true;
    for (const timer of this.lazy.values()) this.timers.clearTimeout(timer);
    this.lazy.clear();
  }
}
