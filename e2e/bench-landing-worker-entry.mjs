// Worker-thread bootstrap for the landing bench (TypeScript through tsx, like the job worker).
import { register } from 'tsx/esm/api';
register();
await import('./bench-landing-worker.ts');
