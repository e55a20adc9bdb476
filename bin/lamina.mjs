#!/usr/bin/env node
// The `lamina` command: TypeScript sources run through tsx (no build step).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../main/cli/lamina.ts');
process.exitCode = await main(process.argv.slice(2));
