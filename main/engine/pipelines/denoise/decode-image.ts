// Step "decode": the final latent -> RGBA at the pack's native size -> the requested
// canvas (resampled when it differs, with a note saying how) -> the result's raw pixels.
// The denoising is over: the transformer goes back to the pool first, so a budget that
// cannot hold it and the decoder closes it before the decoder loads.
import type { Upscale } from '../../../../common/contract/generation-spec.ts';
import { resultPixels } from '../../imaging/result-pixels.ts';
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import type { PackComponents } from '../pack-components.ts';
import type { LatentGeometry } from './prepare-latents.ts';
import type { PipelineTimer } from './pipeline-timer.ts';

export async function decodeImage(
  parts: PackComponents, latents: Float32Array, geometry: LatentGeometry, canvas: { width: number; height: number; upscale?: Upscale },
  timer: PipelineTimer, notes: string[], coverNote = '',
): Promise<{ image: RgbaImage; pixels: ReturnType<typeof resultPixels> }> {
  parts.releaseGraph(parts.model.transformer.graph);
  const { image, native, resampled, decodeMs } = await parts.decodeToCanvas(latents, geometry.lh, geometry.lw, canvas.width, canvas.height, canvas.upscale);
  timer.decoded(decodeMs);
  if (resampled) notes.push(`generated at the pack's native ${native.width}x${native.height} and resampled to ${canvas.width}x${canvas.height} (${canvas.upscale ?? 'lanczos'})${resampled === 'fill' ? '' : ` (scaled to cover, centre-cropped: aspect ratios differ${coverNote})`}`);
  return { image, pixels: resultPixels(image) };
}
