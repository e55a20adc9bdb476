// The job process's side of its IPC channel as a JobPort (advanced serialization: typed
// arrays arrive as typed arrays). The engine going away (the channel closing) ends the process.
import type { JobPort } from './job-worker-loop.ts';

if (!process.send) throw new Error('the job process must run as a child process with an IPC channel');

export const processPort: JobPort = {
  on: (_event, fn) => void process.on('message', fn),
  postMessage: (msg) => void process.send!(msg),
};

process.on('disconnect', () => process.exit(0));
