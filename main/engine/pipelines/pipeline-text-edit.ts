// Text edit by K/V patching: a generated layer's own generation (its provenance: prompt,
// seed, steps, guidance, size, pack) runs again with the text keys/values of the prompt
// with one word replaced patched into the chosen joint blocks from a chosen step on
// (./denoise/kv-patch.ts, run inside the text-to-image loop). The same seeded noise and
// schedule, so what the word does not touch stays; the result replaces the layer's
// pixels in place (one undo step) and its provenance records the edit.
import type { GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import type { TaskOutput } from '../../../common/contract/tasks.ts';
import { TextEditSpec } from '../../../common/contract/task-specs.ts';
import { parseOrReject } from '../../../common/contract/validate.ts';
import type { Box, Provenance } from '../../../common/document/provenance.ts';
import { generationOf, textEditRecord, type TextEditRecord } from '../../../common/document/text-edit-record.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { replaceWord } from '../../../common/text/replace-word.ts';
import type { JobContext } from '../jobs/job-context.ts';
import type { JobInputs, RawImage } from '../jobs/job-protocol.ts';
import { readPackModel } from '../runtime/pack-model.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import type { SessionPool } from '../runtime/session-pool.ts';
import { generatedLayerName } from './denoise/generation-provenance.ts';
import { patchBlocks } from './denoise/kv-patch.ts';
import { registerPipeline, type Pipeline } from './pipeline-registry.ts';
import { TextToImagePipeline, type TextToImageOptions } from './pipeline-text-to-image.ts';

export type TextEditResult = TaskOutput<'text-edit'>;
export { replaceWord };

/** The generation a layer's provenance records, checked to be one this pipeline can re-run. */
function sourceGeneration(pack: Pack, name: string, prov: Provenance | undefined): Provenance {
  if (!prov) throw new LaminaError('bad_request', `layer "${name}" has no generation provenance: a text edit re-runs the generation that made the layer`);
  if (prov.task !== 'generate' || prov.pipeline !== 'text-to-image' || prov.regions.length > 0 || prov.params.init) {
    throw new LaminaError('bad_request', `layer "${name}" was made by ${prov.task} / ${prov.pipeline}${prov.params.init ? ' from an init image' : ''}: a text edit re-runs a plain text-to-image generation`);
  }
  if (prov.packId !== pack.id) throw new LaminaError('bad_request', `layer "${name}" was generated with model pack "${prov.packId}", not "${pack.id}": a text edit re-runs it on the same pack`);
  return prov;
}

/** `edited`'s pixels inside `box` ([x, y, w, h], layer pixels), `original`'s outside it. */
function keepOutside(edited: Uint8Array, original: RawImage, box: Box): void {
  const { width, height, data } = original;
  const x0 = Math.max(0, Math.floor(box[0])), y0 = Math.max(0, Math.floor(box[1]));
  const x1 = Math.min(width, Math.ceil(box[0] + box[2])), y1 = Math.min(height, Math.ceil(box[1] + box[3]));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y >= y0 && y < y1 && x >= x0 && x < x1) continue;
      const p = (y * width + x) * 4;
      edited.set(data.subarray(p, p + 4), p);
    }
  }
}

export class TextEditPipeline implements Pipeline {
  readonly name = 'text-edit';

  constructor(
    readonly pack: Pack,
    readonly options: Pick<TextToImageOptions, 'pool' | 'onStepEnd' | 'onDenoised'> = {},
  ) {}

  async run(specInput: unknown, ctx: JobContext, inputs?: JobInputs): Promise<TextEditResult> {
    // 1. The spec, the layer and how it was made; the edited prompt and the patched blocks.
    const spec = parseOrReject(TextEditSpec, specInput, 'text-edit spec');
    const layer = inputs?.layer;
    if (!layer) throw new LaminaError('bad_request', 'a text edit works on a layer of an open document (its pixels and provenance)');
    // an edited layer: the same generation again, with the edits so far and this one in the patch prompt
    const prov = sourceGeneration(this.pack, layer.name, inputs.provenance && generationOf(inputs.provenance));
    const previous = inputs.provenance ? textEditRecord(inputs.provenance) : null;
    const prompt = replaceWord(previous?.prompt ?? prov.prompt, spec.from, spec.to);
    const blocks = patchBlocks(readPackModel(this.pack), spec.blocks);
    if (spec.startStep >= prov.steps) throw new LaminaError('bad_request', `startStep ${spec.startStep} is past the generation's last step (${prov.steps} steps: 0-${prov.steps - 1})`);

    // 2. The same generation, K/V-patched (pipeline-text-to-image.ts runs the loop).
    const gen: GenerationSpecInput = {
      prompt: prov.prompt, seed: prov.seed, steps: prov.steps, width: layer.image.width, height: layer.image.height, device: spec.device,
      ...(prov.guidance !== undefined ? { guidance: prov.guidance } : {}), ...(prov.upscale ? { upscale: prov.upscale } : {}),
    };
    const t2i = new TextToImagePipeline(this.pack, { ...this.options, kvPatch: { prompt, blocks, startStep: spec.startStep } });
    const out = await t2i.run(gen, ctx);
    const image = out.layers[0];
    if (image.width !== layer.image.width || image.height !== layer.image.height) throw new LaminaError('internal', `text edit made ${image.width}x${image.height} pixels for a ${layer.image.width}x${layer.image.height} layer`);

    // 3. In place: the layer's offset, the pixels outside the box as they were, the edit recorded.
    if (spec.box) keepOutside(image.rgba, layer.image, spec.box);
    const edit: TextEditRecord = { from: spec.from, to: spec.to, prompt, blocks, startStep: spec.startStep, ...(spec.box ? { box: spec.box } : {}), ...(previous ? { previous } : {}) };
    // a layer still named after its prompt is renamed after the edited one; a name the designer gave stays
    const renamed = layer.name === generatedLayerName({ prompt: previous?.prompt ?? prov.prompt, seed: prov.seed }) ? generatedLayerName({ prompt, seed: prov.seed }) : null;
    return {
      landing: 'update-pixels',
      layerId: spec.layerId,
      ...(renamed ? { name: renamed } : {}),
      image: {
        x: layer.x, y: layer.y, width: image.width, height: image.height, rgba: image.rgba,
        provenance: { ...prov, task: 'text-edit', pipeline: this.name, provider: out.provider, createdAt: new Date().toISOString(), params: { ...prov.params, textEdit: edit } },
      },
      provider: out.provider,
      timings: out.timings,
      notes: [...out.notes, `"${spec.from}" -> "${spec.to}" in joint block${blocks.length === 1 ? '' : 's'} ${blocks.join(', ') || '(none)'} from step ${spec.startStep}`],
    };
  }
}

registerPipeline('text-edit', (pack) => new TextEditPipeline(pack));
