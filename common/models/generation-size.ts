// The size a pack generates a canvas at: the canvas's own size when the pack takes any
// size and the canvas is a multiple of its resolution step, else the pack's native size
// (the result is then resampled to the canvas). One rule for the engine's latent grid,
// the provenance record and the Generate panel's "enlarged" note.
export interface Size { width: number; height: number }
export interface Resolution { fixed: boolean; multipleOf: number }

export function generationSize(resolution: Resolution, native: Size, canvas?: Size): Size {
  const own = canvas && !resolution.fixed && canvas.width % resolution.multipleOf === 0 && canvas.height % resolution.multipleOf === 0;
  return own ? { width: canvas.width, height: canvas.height } : { width: native.width, height: native.height };
}
