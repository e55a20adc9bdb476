// A painted or lassoed mask as JSON: a box in document pixels and the run lengths of its
// rows (row-major, alternating "out" and "in", starting with "out"), so a 1000 x 1000
// selection of one blob travels as a few thousand numbers, not a million bytes.
import { z } from 'zod';

export const MaskRuns = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  runs: z.array(z.number().int().min(0)).min(1),
}).strict().refine((m) => m.runs.reduce((a, b) => a + b, 0) === m.width * m.height, 'the mask\'s runs must add up to width x height pixels');
export type MaskRuns = z.infer<typeof MaskRuns>;

/** width x height bytes (in = value >= `threshold`) -> runs. */
export function encodeMaskRuns(data: ArrayLike<number>, threshold = 128): number[] {
  const runs: number[] = [];
  let inside = false;
  let run = 0;
  for (let p = 0; p < data.length; p++) {
    const v = data[p] >= threshold;
    if (v !== inside) {
      runs.push(run);
      run = 0;
      inside = v;
    }
    run++;
  }
  runs.push(run);
  return runs;
}

/** runs -> width x height bytes, 1 = in. */
export function decodeMaskRuns(m: MaskRuns): Uint8Array {
  const out = new Uint8Array(m.width * m.height);
  let p = 0;
  m.runs.forEach((run, i) => {
    if (i % 2 === 1) out.fill(1, p, p + run);
    p += run;
  });
  return out;
}
