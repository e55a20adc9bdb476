// A real engine over temporary folders, for integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobEvent } from '../../../common/contract/contract.ts';
import { Engine, type EngineOptions } from '../engine.ts';

export interface TempEngine {
  engine: Engine;
  dir: string;
  dispose(): Promise<void>;
}

export function tempEngine(options: Partial<EngineOptions> = {}): TempEngine {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-test-'));
  const engine = new Engine({ packDirs: [join(dir, 'packs')], recoveryDir: join(dir, 'recovery'), autosaveMs: 0, ...options });
  return {
    engine,
    dir,
    dispose: async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The job's last event (done, failed or cancelled). */
export function jobFinished(engine: Engine, jobId: string): Promise<JobEvent> {
  return new Promise((resolve) => {
    const off = engine.on('job.event', (ev) => {
      if (ev.jobId === jobId && ['done', 'failed', 'cancelled'].includes(ev.state)) {
        off();
        resolve(ev);
      }
    });
  });
}
