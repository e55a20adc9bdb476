// Raw pixels on the machine: straight-alpha RGBA, row-major, 4 bytes per pixel, in a
// Uint8Array (its ArrayBuffer is transferable: worker -> engine, structured clone over
// Electron IPC, a binary WebSocket frame in `lamina serve`). PNG lives only at file and
// network-export edges (document.open/import/save, export.*).
import { z } from 'zod';
import { CanvasSide } from './limit-schemas.ts';

export const RgbaBytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected RGBA bytes (Uint8Array)' });

const side = CanvasSide;
/** width x height x 4 bytes, checked. */
export const RawImage = z.object({ width: side, height: side, rgba: RgbaBytes }).superRefine((v, ctx) => {
  const need = v.width * v.height * 4;
  if (v.rgba.byteLength !== need) ctx.addIssue({ code: 'custom', path: ['rgba'], message: `${v.rgba.byteLength} bytes; ${v.width}x${v.height} RGBA needs ${need}` });
});
export type RawImage = z.output<typeof RawImage>;
