import { readFile } from 'node:fs/promises';
import { GenerationSpec } from '../../common/contract/generation-spec.ts';
import { describeZodError } from '../../common/contract/validate.ts';
import { LaminaError } from '../../common/errors/lamina-error.ts';
import { CliUsageError, printJson } from './cli-output.ts';
import { parseCommandArgs, type Command } from './lamina.ts';

export const commandGenerate: Command = async (args, engine) => {
  const { values } = parseCommandArgs({
    args,
    options: { spec: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (!values.spec || !values.out) throw new CliUsageError('generate needs --spec spec.json and --out OUT(.ora|.psd|.png)');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(values.spec, 'utf8'));
  } catch (err) {
    throw new LaminaError('bad_request', `${values.spec}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = GenerationSpec.safeParse(raw);
  if (!parsed.success) throw new LaminaError('bad_request', `${values.spec}: ${describeZodError(parsed.error)}`);
  const e = engine();
  const { jobId } = await e.call('jobs.start', { kind: 'generate', spec: parsed.data });
  const onSigint = () => void e.call('jobs.cancel', { jobId });
  process.once('SIGINT', onSigint);
  const final = await new Promise<import('../../common/contract/contract.ts').JobEvent>((resolve) => {
    const off = e.on('job.event', (ev) => {
      if (ev.jobId !== jobId) return;
      if (!values.json && ev.state === 'step' && process.stderr.isTTY) process.stderr.write(`\rstep ${ev.i}/${ev.n}`);
      if (ev.state === 'done' || ev.state === 'failed' || ev.state === 'cancelled') {
        off();
        resolve(ev);
      }
    });
  });
  process.off('SIGINT', onSigint);
  if (final.state === 'failed') throw new LaminaError(final.code ?? 'internal', final.message ?? 'generation failed');
  if (final.state === 'cancelled') throw new LaminaError('cancelled', 'generation cancelled');
  if (values.json) printJson({ ok: true, result: final.result });
  return 0;
};
