// `lamina bench [--json] [--pack DIR] [--device D] [--steps N] [--no-torch]`: runtime speed
// (see main/engine/runtime/runtime-bench.ts). --json prints one JSON object.
import { DEVICES, type Device } from '../engine/runtime/execution-providers.ts';
import { runRuntimeBench } from '../engine/runtime/runtime-bench.ts';
import { CliUsageError, printJson } from './cli-output.ts';
import { parseCommandArgs, type Command } from './lamina.ts';

export const commandBench: Command = async (args) => {
  const { values } = parseCommandArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      pack: { type: 'string' },
      device: { type: 'string', default: 'auto' },
      steps: { type: 'string', default: '20' },
      'no-torch': { type: 'boolean', default: false },
    },
  });
  if (!(DEVICES as readonly string[]).includes(values.device!)) throw new CliUsageError(`--device must be one of ${DEVICES.join(', ')}`);
  const steps = Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1) throw new CliUsageError('--steps must be a positive integer');
  const result = await runRuntimeBench({
    packDir: values.pack, device: values.device as Device, steps, noTorch: values['no-torch'],
    log: values.json ? undefined : (l) => process.stderr.write(l + '\n'),
  });
  if (values.json) printJson(result);
  else {
    const keys = ['pack', 'provider', 'size', 'steps', 'threads', 't2i_ms', 't2i_cold_ms', 'step_ms', 'step_ms_b1', 'step_ms_b2', 'torch_ratio', 'gemm_peak_gflops', 'transformer_gflops', 'gemm_utilization', 'layerbind2_ratio', 'layerbind4_ratio', 'peak_rss_mb'];
    for (const k of keys) process.stdout.write(`${k.padEnd(20)} ${JSON.stringify(result[k])}\n`);
    process.stdout.write(`${'webgpu'.padEnd(20)} ${JSON.stringify(result.webgpu)}\n`);
  }
  return 0;
};
