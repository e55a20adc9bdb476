// Runs jobs inside the worker thread: the job protocol (job-worker-loop.ts) over runJob.
import { parentPort } from 'node:worker_threads';
import { serveJobs } from './job-worker-loop.ts';
import { runJob } from './job-tasks.ts';

if (!parentPort) throw new Error('job-worker must run in a worker thread');
serveJobs(parentPort, runJob);
