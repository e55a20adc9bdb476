// Child-process bootstrap: TypeScript sources run through tsx inside the job process too.
import { register } from 'tsx/esm/api';
register();
await import('./job-process.ts');
