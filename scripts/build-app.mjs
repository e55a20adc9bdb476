// Bundles the Electron main process and preload (TypeScript) to CommonJS for Electron.
import { build } from 'esbuild';
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['electron'], logLevel: 'warning' };
await build({ ...common, entryPoints: ['main/app/main.ts'], outfile: 'main/app/dist/main.cjs' });
await build({ ...common, entryPoints: ['main/preload/preload.ts'], outfile: 'main/app/dist/preload.cjs' });
