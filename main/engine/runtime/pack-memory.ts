// How much memory a pack needs, checked before any graph loads: the pipelines load the text
// encoders, give them back, then the transformer and the image decoder (docs/architecture.md,
// Memory), so the peak is the larger of the two phases, each graph counted at its weights'
// in-memory size (fp16-stored weights are cast to fp32 when the session starts: twice the
// file) plus a margin for activations. A machine that cannot hold that peak gets a clear
// refusal instead of an out-of-memory kill halfway through.
import { totalmem } from 'node:os';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import type { PackManifest } from '../../../common/models/pack-manifest.ts';

const ACTIVATION_MARGIN = 1.25;
const FIXED_OVERHEAD = 256 * 2 ** 20;

export interface PackMemory {
  /** estimated peak resident bytes of a generation */
  bytes: number;
  textPhase: number;
  denoisePhase: number;
}

function graphBytes(m: PackManifest, graph: string | undefined): number {
  if (!graph || !m.graphs[graph]) return 0;
  const file = m.graphs[graph].file;
  // a graph's weights: its file plus external data files next to it (NAME.onnx.data)
  let bytes = 0;
  for (const [rel, e] of Object.entries(m.files)) if (rel === file || rel.startsWith(`${file}.`)) bytes += e.bytes;
  const dtype = (m.about?.conversion as { dtype?: string } | undefined)?.dtype;
  return dtype === 'fp16' && graph !== (m.components.imageCodec.kind === 'none' ? '' : m.components.imageCodec.decoder) ? 2 * bytes : bytes;
}

export function estimatePackMemory(m: PackManifest): PackMemory {
  const c = m.components;
  const textPhase = c.textEncoders.reduce((s, t) => s + graphBytes(m, t.graph), 0);
  const decoder = c.imageCodec.kind === 'none' ? 0 : graphBytes(m, c.imageCodec.decoder);
  const denoisePhase = graphBytes(m, c.transformer.graph) + decoder;
  return { bytes: Math.round(Math.max(textPhase, denoisePhase) * ACTIVATION_MARGIN + FIXED_OVERHEAD), textPhase, denoisePhase };
}

/** The memory this process may plan for: LAMINA_MEMORY_LIMIT_MB, else the machine's total. */
export function memoryLimitBytes(): number {
  const mb = Number(process.env.LAMINA_MEMORY_LIMIT_MB);
  return Number.isFinite(mb) && mb > 0 ? mb * 2 ** 20 : totalmem();
}

/** Throws too_large when the machine cannot hold the pack's peak. */
export function checkPackMemory(m: PackManifest, limit = memoryLimitBytes()): PackMemory {
  const need = estimatePackMemory(m);
  if (need.bytes > limit) {
    const gib = (b: number) => (b / 2 ** 30).toFixed(2);
    throw new LaminaError('too_large', `model pack "${m.id}" needs about ${gib(need.bytes)} GiB (text encoders ${gib(need.textPhase)} GiB, then transformer + decoder ${gib(need.denoisePhase)} GiB); this machine allows ${gib(limit)} GiB. Use a smaller pack (e.g. converted with --dtype fp16 on a GPU provider) or a machine with more memory.`);
  }
  return need;
}
