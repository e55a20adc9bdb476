import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import type { GenerationResult } from '../../common/contract/task-results.ts';
import { parseGenerationSpecJson } from '../../common/contract/generation-spec-json.ts';
import { LaminaError } from '../../common/errors/lamina-error.ts';
import { CliUsageError, printJson } from './cli-output.ts';
import { parseCommandArgs, type Command } from './lamina.ts';

export const commandGenerate: Command = async (args, engine) => {
  const { values } = parseCommandArgs({
    args,
    options: { spec: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (!values.spec || !values.out) throw new CliUsageError('generate needs --spec spec.json and --out OUT(.ora|.psd|.png)');
  let text: string;
  try {
    text = await readFile(values.spec, 'utf8');
  } catch (err) {
    throw new LaminaError('bad_request', `${values.spec}: ${(err as Error).message.split('\n')[0]}`);
  }
  const spec = parseGenerationSpecJson(text, values.spec);
  const format = outputFormat(values.out);
  const e = engine();
  const doc = await e.call('document.new', { width: spec.width, height: spec.height, name: basename(values.out, extname(values.out)) });
  const { jobId } = await e.call('jobs.start', { task: 'generate', docId: doc.docId, spec });
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
  if (!values.json && process.stderr.isTTY) process.stderr.write('\n');
  const out = resolve(values.out);
  const written = format === 'ora' ? [(await e.call('document.save', { docId: doc.docId, path: out })).path] : (await e.call('export.run', { docId: doc.docId, format, path: out })).paths;
  const result = final.result as GenerationResult; // parsed by the engine when the job finished
  const summary = {
    ok: true,
    written,
    provider: result.provider,
    timings: result.timings,
    notes: result.notes,
    layers: result.layers.map(({ rgba: _rgba, ...meta }) => meta),
  };
  if (values.json) printJson(summary);
  else process.stdout.write(`wrote ${written.join(', ')} (${result.provider}, ${Math.round(result.timings.total_ms ?? 0)} ms)\n`);
  return 0;
};

function outputFormat(path: string): 'ora' | 'psd' | 'png' {
  const ext = extname(path).toLowerCase();
  if (ext === '.ora' || ext === '.psd' || ext === '.png') return ext.slice(1) as 'ora' | 'psd' | 'png';
  throw new CliUsageError(`--out must end in .ora, .psd or .png (got "${basename(path)}")`);
}
