import { commandBench } from './command-bench.ts';
process.exitCode = await commandBench(process.argv.slice(2), () => { throw new Error('no engine'); });
