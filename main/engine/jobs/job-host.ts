// Where jobs run: a child process (the default: a native crash or out-of-memory in ONNX
// Runtime kills only that process, and the engine fails the job and starts another) or a
// worker thread (benches and tests that pass their own worker; a native crash there would
// take the engine with it). Both speak the same messages (./job-protocol.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './job-protocol.ts';

/** `URL`: a worker-thread entry; `{ process: URL }`: a child-process entry. */
export type JobRunnerSpec = URL | { process: URL; execArgv?: string[] };

export interface JobHost {
  post(msg: ToWorker): void;
  onMessage(fn: (msg: FromWorker) => void): void;
  /** the host is gone: why, in words (exit code, signal, error) */
  onGone(fn: (why: string) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<void>;
}

export function startJobHost(spec: JobRunnerSpec): JobHost {
  return spec instanceof URL ? threadHost(spec) : processHost(spec.process, spec.execArgv ?? []);
}

function threadHost(url: URL): JobHost {
  const worker = new Worker(url);
  return {
    post: (msg) => worker.postMessage(msg),
    onMessage: (fn) => void worker.on('message', fn),
    onGone: (fn) => {
      worker.on('error', (err) => fn(err.message));
      worker.on('exit', (code) => fn(`exit code ${code}`));
    },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: async () => void (await worker.terminate()),
  };
}

function processHost(url: URL, execArgv: string[]): JobHost {
  // execArgv is set, never inherited: under `node --test` the child must not become a test runner
  const child: ChildProcess = fork(fileURLToPath(url), [], { serialization: 'advanced', execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    post: (msg) => {
      if (!gone && child.connected) child.send(msg);
    },
    onMessage: (fn) => void child.on('message', (m) => fn(m as FromWorker)),
    onGone: (fn) => {
      child.on('error', (err) => fn(err.message));
      child.on('exit', (code, signal) => {
        gone = true;
        fn(signal ? `the job process was killed by ${signal}` : `exit code ${code}`);
      });
    },
    ref: () => {
      child.ref();
      child.channel?.ref();
    },
    unref: () => {
      child.unref();
      child.channel?.unref();
    },
    terminate: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
