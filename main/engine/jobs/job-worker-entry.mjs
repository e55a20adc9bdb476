// Worker-thread bootstrap: TypeScript sources run through tsx inside the worker too.
import { register } from 'tsx/esm/api';
register();
await import('./job-worker.ts');
