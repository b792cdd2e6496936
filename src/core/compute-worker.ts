import { parentPort } from 'node:worker_threads';
import { COMPUTE_TASKS } from './compute-pool.js';
import { answerRequests } from './worker-pool.js';

/** A thread of a ComputePool: runs the named task on the arguments it is sent. */
answerRequests(parentPort!, (task, args) =>
  (COMPUTE_TASKS[task as keyof typeof COMPUTE_TASKS] as (...a: unknown[]) => unknown)(...args),
);
