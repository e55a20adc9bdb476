// Judges the objects in a Lamina-world image: which palette colour, which shape, how many.
// Exact geometry, no learning: pixels are labelled by their nearest palette colour, each
// colour's connected components are candidate objects, and a candidate's shape is the
// template (rasterised from the world's own signed distance functions) it overlaps best.
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { connectedComponents, type Component } from './components.ts';
import { unmixTranslucent } from './translucency.ts';
import type { WorldSpec } from './world-spec.ts';

export interface ShapeTemplates {
  size: number;
  shapes: Record<string, number[]>;
}

export interface DetectedObject {
  colour: string;
  shape: string;
  /** IoU of the best shape template (0-1) */
  shapeScore: number;
  /** IoU of the second-best template */
  runnerUp: number;
  box: [number, number, number, number]; // x0, y0, x1, y1 (exclusive)
  area: number;
}

export interface JudgeOptions {
  /** max RGB distance from a palette colour for a pixel to carry that colour */
  colourTolerance: number;
  /** smallest object side, as a fraction of the image side */
  minSide: number;
  /** components covering more than this fraction of the image are background */
  maxAreaFraction: number;
  /** components filling less than this of their box are lines, stripes or letters' debris */
  minFill: number;
  /** candidates whose best shape IoU is below this are not objects (letters, patterns) */
  minShapeScore: number;
  /** also find translucent objects (palette colours mixed with their background) */
  translucent: boolean;
}

export const DEFAULT_JUDGE_OPTIONS: JudgeOptions = {
  colourTolerance: 48,
  minSide: 0.07,
  maxAreaFraction: 0.3,
  minFill: 0.2,
  minShapeScore: 0.55,
  translucent: true,
};

export class ObjectJudge {
  private readonly palette: { name: string; rgb: readonly number[] }[];
  private readonly templates: { name: string; mask: Uint8Array }[];
  private readonly strokes: { name: string; rgb: readonly number[] }[];
  /** label k's colour: fills 0..K-1, then strokes K..2K-1 */
  private readonly labelRgb: readonly (readonly number[])[];
  private readonly t: number;

  constructor(world: WorldSpec, templates: ShapeTemplates, readonly options: JudgeOptions = DEFAULT_JUDGE_OPTIONS) {
    this.palette = world.colour_order.map((name) => ({ name, rgb: world.colours[name] }));
    // strokes are drawn in the fill colour at half brightness: label them as their own class
    this.strokes = this.palette.map((c) => ({ name: c.name, rgb: c.rgb.map((v) => v * 0.5) }));
    this.labelRgb = [...this.palette, ...this.strokes].map((c) => c.rgb);
    this.t = templates.size;
    this.templates = world.shapes.map((name) => {
      const cov = templates.shapes[name];
      if (!cov) throw new Error(`shape templates lack "${name}"`);
      return { name, mask: Uint8Array.from(cov, (v) => (v >= 128 ? 1 : 0)) };
    });
  }

  /** Label every pixel with its nearest palette colour index k (fill), K + k (stroke of
   * colour k), or -1 when no colour is close. `distances`, when given, receives each
   * pixel's squared RGB distance to its label's colour. */
  labelColours(img: RgbaImage, distances?: Float32Array): Int16Array {
    const n = img.width * img.height;
    const labels = new Int16Array(n).fill(-1);
    const tol2 = this.options.colourTolerance ** 2;
    for (let p = 0; p < n; p++) {
      const r = img.data[p * 4], g = img.data[p * 4 + 1], b = img.data[p * 4 + 2];
      let best = -1;
      let bestD = tol2;
      for (let k = 0; k < this.labelRgb.length; k++) {
        const c = this.labelRgb[k];
        const d = (r - c[0]) ** 2 + (g - c[1]) ** 2 + (b - c[2]) ** 2;
        if (d < bestD) {
          bestD = d;
          best = k;
        }
      }
      labels[p] = best;
      if (distances) distances[p] = bestD;
    }
    return labels;
  }

  /** Best-matching shape for a component: its mask over its own box vs each template;
   * `runnerUp` is the second-best template's IoU. */
  classifyShape(c: Component, width: number): { shape: string; score: number; runnerUp: number } {
    const T = this.t;
    const w = c.x1 - c.x0;
    const h = c.y1 - c.y0;
    const inMask = new Uint8Array(w * h);
    for (const p of c.pixels) {
      const x = p % width;
      const y = (p - x) / width;
      inMask[(y - c.y0) * w + (x - c.x0)] = 1;
    }
    const sample = new Uint8Array(T * T);
    for (let ty = 0; ty < T; ty++) {
      const y = Math.min(h - 1, Math.floor(((ty + 0.5) * h) / T));
      for (let tx = 0; tx < T; tx++) {
        const x = Math.min(w - 1, Math.floor(((tx + 0.5) * w) / T));
        sample[ty * T + tx] = inMask[y * w + x];
      }
    }
    let best = { shape: this.templates[0].name, score: -1, runnerUp: -1 };
    for (const tpl of this.templates) {
      let inter = 0;
      let union = 0;
      for (let i = 0; i < sample.length; i++) {
        inter += sample[i] & tpl.mask[i];
        union += sample[i] | tpl.mask[i];
      }
      const score = union ? inter / union : 0;
      if (score > best.score) best = { shape: tpl.name, score, runnerUp: best.score };
      else if (score > best.runnerUp) best.runnerUp = score;
    }
    return best;
  }

  detect(img: RgbaImage): DetectedObject[] {
    const { width, height } = img;
    const o = this.options;
    const minSide = o.minSide * Math.min(width, height);
    const distances = new Float32Array(width * height);
    const labels = this.labelColours(img, distances);
    const K = this.palette.length;
    if (o.translucent) unmixTranslucent(img, labels, distances, this.labelRgb);
    const background = borderMode(labels, width, height);
    const fills = connectedComponents(labels.map((l) => (l < K ? l : -1)), width, height);
    const comps = fills.map((c) => withStroke(c, labels, K + c.label, width, height));
    const text = textRows(comps);
    const out: DetectedObject[] = [];
    for (const c of comps) {
      if (text.has(c)) continue;
      const w = c.x1 - c.x0;
      const h = c.y1 - c.y0;
      if (c.label === background) continue; // background colour, its pattern tiles included
      const touchesBorder = c.x0 === 0 || c.y0 === 0 || c.x1 === width || c.y1 === height;
      if (touchesBorder && (w > width / 2 || h > height / 2)) continue; // gradient bands, frame
      if (w < minSide || h < minSide) continue;
      if (c.area > o.maxAreaFraction * width * height) continue;
      if (c.area / (w * h) < o.minFill) continue;
      if (Math.max(w / h, h / w) > 2.2) continue; // world objects' boxes are near-square
      const { shape, score, runnerUp } = this.classifyShape(c, width);
      if (score < o.minShapeScore) continue;
      out.push({ colour: this.palette[c.label].name, shape, shapeScore: score, runnerUp, box: [c.x0, c.y0, c.x1, c.y1], area: c.area });
    }
    return out.sort((a, b) => b.area - a.area);
  }
}

/** Grows a fill component by the adjacent pixels labelled as its colour's stroke, at most
 * `maxDepth` pixels deep (a stroke is thin; a support line of similar colour is not). */
function withStroke(c: Component, labels: Int16Array, strokeLabel: number, width: number, height: number, maxDepth = 3): Component {
  const inside = new Set<number>(c.pixels);
  const queue = [...c.pixels];
  const depth = new Map<number, number>();
  let { x0, y0, x1, y1 } = c;
  for (let i = 0; i < queue.length; i++) {
    const p = queue[i];
    const d = depth.get(p) ?? 0;
    if (d >= maxDepth) continue;
    const x = p % width;
    const y = (p - x) / width;
    const nbrs = [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1, y < height - 1 ? p + width : -1];
    for (const q of nbrs) {
      if (q < 0 || inside.has(q) || labels[q] !== strokeLabel) continue;
      inside.add(q);
      queue.push(q);
      depth.set(q, d + 1);
      const qx = q % width;
      const qy = (q - qx) / width;
      x0 = Math.min(x0, qx); x1 = Math.max(x1, qx + 1); y0 = Math.min(y0, qy); y1 = Math.max(y1, qy + 1);
    }
  }
  if (queue.length === c.pixels.length) return c;
  return { ...c, area: queue.length, x0, y0, x1, y1, pixels: Int32Array.from(queue) };
}

/** Components that sit in a row of same-colour, same-height neighbours: rendered words. */
function textRows(comps: readonly Component[]): Set<Component> {
  const text = new Set<Component>();
  for (let i = 0; i < comps.length; i++) {
    const a = comps[i];
    const h = a.y1 - a.y0;
    for (let j = i + 1; j < comps.length; j++) {
      const b = comps[j];
      if (a.label !== b.label || Math.abs(a.y0 - b.y0) > 2 || Math.abs(a.y1 - b.y1) > 2) continue;
      const gap = Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1);
      if (gap >= 0 && gap < 0.6 * h) {
        text.add(a);
        text.add(b);
      }
    }
  }
  return text;
}

/** The most common label along the image border (-1 when none dominates). */
function borderMode(labels: Int16Array, width: number, height: number): number {
  const counts = new Map<number, number>();
  const add = (p: number) => counts.set(labels[p], (counts.get(labels[p]) ?? 0) + 1);
  for (let x = 0; x < width; x++) {
    add(x);
    add((height - 1) * width + x);
  }
  for (let y = 1; y < height - 1; y++) {
    add(y * width);
    add(y * width + width - 1);
  }
  let best = -1;
  let bestN = 0;
  for (const [label, n] of counts) if (label >= 0 && n > bestN) [best, bestN] = [label, n];
  return bestN >= 0.25 * (2 * width + 2 * height) ? best : -1;
}

export interface RequestedObject {
  colour: string;
  shape: string;
}

export interface CaptionJudgement {
  /** requested objects found with their colour / colour and shape, in an image that is not cluttered */
  colourHits: number;
  shapeHits: number;
  /** the same without the clutter rule (the judge before session 5) */
  lenientColourHits: number;
  lenientShapeHits: number;
  requested: number;
  detected: number;
  countCorrect: boolean;
  /** more objects detected than requested + maxExtra: nothing in the image counts */
  cluttered: boolean;
}

export interface RequestOptions {
  /** objects beyond the requested ones an image may show before it counts as cluttered.
   * A mosaic of token-sized patches holds every colour and passes for squares and circles
   * (7-14 detections per image); a person would not say it shows "a red square". */
  maxExtra: number;
}

/** One object beyond the request is tolerated: true scenes lose 2 points (93.4 -> 91.6 % of one-object shapes). */
export const DEFAULT_REQUEST_OPTIONS: RequestOptions = { maxExtra: 1 };

/** Matches requested objects to detections: colour first, then shape among that colour. */
export function judgeAgainstRequest(detected: readonly DetectedObject[], requested: readonly RequestedObject[], o: RequestOptions = DEFAULT_REQUEST_OPTIONS): CaptionJudgement {
  const free = [...detected];
  let colourHits = 0;
  let shapeHits = 0;
  for (const req of requested) {
    const sameColour = free.filter((d) => d.colour === req.colour);
    if (sameColour.length === 0) continue;
    colourHits++;
    const pick = sameColour.find((d) => d.shape === req.shape) ?? sameColour[0];
    if (pick.shape === req.shape) shapeHits++;
    free.splice(free.indexOf(pick), 1);
  }
  const cluttered = detected.length > requested.length + o.maxExtra;
  return {
    colourHits: cluttered ? 0 : colourHits, shapeHits: cluttered ? 0 : shapeHits,
    lenientColourHits: colourHits, lenientShapeHits: shapeHits,
    requested: requested.length, detected: detected.length, countCorrect: detected.length === requested.length, cluttered,
  };
}
