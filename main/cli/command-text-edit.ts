// `lamina text-edit --in doc.ora|img.png --layer NAME|INDEX --from OLD --to NEW --out out.ora|out.psd|out.png
//  [--blocks 0,2] [--start-step N] [--force] [--json]`: one word of a generated layer's prompt
// changed in place by K/V patching (the engine's text-edit job). INDEX 0 = the top layer of
// the document (top level); a name is looked up anywhere in the tree; a one-layer document
// (a PNG) needs no --layer. A PNG works when Lamina wrote it from one generated layer (its
// metadata carries the layer's provenance: engine/document/png-lamina-metadata.ts). .png
// out = the document flattened after the edit (with the edited layer's provenance);
// .ora / .psd = the whole document.
import { extname, resolve } from 'node:path';
import type { Layer } from '../../common/document/document-schema.ts';
import { CliUsageError, printJson } from './cli-output.ts';
import { exportRefusal } from './command-export.ts';
import { parseCommandArgs, type Command } from './lamina.ts';
import { runJobToEnd } from './run-job.ts';

function flatten(layers: readonly Layer[]): Layer[] {
  return layers.flatMap((l) => (l.kind === 'group' ? [l, ...flatten(l.children)] : [l]));
}

/** The layer `which` names: a top-level index (0 = top) or a name; a usage error naming the choices otherwise. */
export function pickLayer(layers: readonly Layer[], which: string): Layer {
  const names = () => layers.map((l, i) => `${i} "${l.name}"`).join(', ') || 'none';
  if (/^\d+$/.test(which)) {
    const layer = layers[Number(which)];
    if (!layer) throw new CliUsageError(`--layer ${which}: the document has ${layers.length} top-level layer${layers.length === 1 ? '' : 's'} (${names()})`);
    return layer;
  }
  const found = flatten(layers).filter((l) => l.name === which);
  if (found.length > 1) throw new CliUsageError(`--layer "${which}": ${found.length} layers have that name; give its index (${names()})`);
  if (!found.length) throw new CliUsageError(`--layer "${which}": no layer has that name (${names()})`);
  return found[0];
}

export function parseBlocks(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.every((p) => /^\d+$/.test(p))) throw new CliUsageError(`--blocks is a comma list of joint block indices from 0, e.g. 0,2 (got "${text}")`);
  return parts.map(Number);
}

export const commandTextEdit: Command = async (args, engine) => {
  const { values } = parseCommandArgs({
    args,
    options: {
      in: { type: 'string' }, layer: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' },
      blocks: { type: 'string' }, 'start-step': { type: 'string' }, force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
    },
  });
  if (!values.in || values.from === undefined || values.to === undefined || !values.out) {
    throw new CliUsageError('text-edit needs --in doc.ora|img.png, --layer NAME|INDEX (unless the document has one layer), --from OLD, --to NEW and --out out.ora|out.psd|out.png');
  }
  const ext = extname(values.out).toLowerCase();
  if (ext !== '.ora' && ext !== '.psd' && ext !== '.png') throw new CliUsageError(`--out must end in .ora, .psd or .png (got "${values.out}")`);
  const format = ext.slice(1) as 'ora' | 'psd' | 'png';
  const input = resolve(values.in);
  const out = resolve(values.out);
  const refusal = exportRefusal(format, out, input, values.force);
  if (refusal) throw new CliUsageError(refusal);
  const startStep = values['start-step'] === undefined ? undefined : Number(values['start-step']);
  if (startStep !== undefined && !(Number.isInteger(startStep) && startStep >= 0)) throw new CliUsageError(`--start-step is a step index from 0 (got "${values['start-step']}")`);
  const blocks = values.blocks === undefined ? undefined : parseBlocks(values.blocks);

  const e = engine();
  const doc = await e.call('document.open', { path: input });
  const top = doc.document.layers;
  if (values.layer === undefined && top.length !== 1) throw new CliUsageError(`--layer NAME|INDEX: the document has ${top.length} top-level layers (${top.map((l, i) => `${i} "${l.name}"`).join(', ') || 'none'})`);
  const layer = pickLayer(top, values.layer ?? '0');
  if (!layer.provenance && extname(input).toLowerCase() !== '.ora' && top.length === 1) {
    throw new CliUsageError(`${values.in} has no Lamina metadata (no generation record): text-edit re-runs the generation that made a picture, so give a PNG that Lamina wrote from one generated layer (lamina generate --out x.png) or the .ora project`);
  }
  const spec = { layerId: layer.id, from: values.from, to: values.to, ...(blocks ? { blocks } : {}), ...(startStep !== undefined ? { startStep } : {}) };
  const final = await runJobToEnd(e, { task: 'text-edit', docId: doc.docId, spec }, values.json, 'text edit');
  const result = final.result as { provider: string; timings: Record<string, number>; notes: string[]; name?: string; image: { provenance: { params: Record<string, unknown> } } };
  const written = format === 'ora'
    ? [(await e.call('document.save', { docId: doc.docId, path: out, overwrite: true })).path]
    : (await e.call('export.run', { docId: doc.docId, format, path: out })).paths;
  const edit = result.image.provenance.params.textEdit as { prompt: string; blocks: number[]; startStep: number };
  if (values.json) printJson({ ok: true, written, layer: { id: layer.id, name: layer.name, ...(result.name ? { renamed: result.name } : {}) }, from: values.from, to: values.to, ...edit, provider: result.provider, timings: result.timings, notes: result.notes });
  else process.stdout.write(`wrote ${written.join(', ')} ("${layer.name}"${result.name ? ` -> "${result.name}"` : ''}: "${values.from}" -> "${values.to}", blocks ${edit.blocks.join(',') || 'none'} from step ${edit.startStep}, ${result.provider}, ${Math.round(result.timings.total_ms ?? 0)} ms)\n`);
  return 0;
};
