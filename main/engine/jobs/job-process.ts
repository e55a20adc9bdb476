// Runs jobs inside the job child process: the job protocol (job-worker-loop.ts) over the
// process's IPC channel (job-process-port.ts).
import { processPort } from './job-process-port.ts';
import { serveJobs } from './job-worker-loop.ts';
import { runJob } from './job-tasks.ts';

serveJobs(processPort, runJob);
