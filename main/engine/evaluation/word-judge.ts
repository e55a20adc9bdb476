// Reads which of the Lamina world's words an image shows. Exact templates, no learning:
// the world draws words black or white, whichever contrasts with the background, so for
// each of the two text colours every band pixel gets a text coverage against its local
// background; well-covered pixels are ink, ink pieces are grouped into horizontal runs of
// letter height, and a run is the word whose template (the world's own glyph
// rasterisation, word-templates.json) its coverage correlates with best.
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { connectedComponents, type Component } from './components.ts';
import type { WorldSpec } from './world-spec.ts';

export interface WordTemplates {
  /** image side the templates were rasterised for */
  image_size: number;
  font_sizes: number[];
  /** per word, one template per font size: coverage 0-255, base64, row-major */
  words: Record<string, { width: number; height: number; coverage: string }[]>;
}

export interface ReadWord {
  word: string;
  box: [number, number, number, number]; // x0, y0, x1, y1 (exclusive)
  /** correlation of the run's coverage with the word's template (-1 to 1) */
  score: number;
}

export interface WordJudgeOptions {
  /** pixels covered more than this are ink (above a half: a pattern's tint, about 0.45
   * covered by the nearer text colour, stays out) */
  inkCover: number;
  /** min RGB distance of the local background from the text colour (text contrasts) */
  minContrast: number;
  /** rows (fractions of the image side) a word must lie within: the world's word band, widened */
  band: [number, number];
  /** letter height range, as fractions of the image side */
  letterHeight: [number, number];
  /** pieces of one word are less than this many letter heights apart */
  maxGap: number;
  /** a run no word fits is split at its widest gap when that is at least this many run heights */
  splitGap: number;
  /** a run's width may differ from the word's (at the run's height) by this fraction */
  widthTolerance: number;
  /** runs whose best template correlation is below this are not words */
  minScore: number;
}

export const DEFAULT_WORD_JUDGE_OPTIONS: WordJudgeOptions = {
  inkCover: 0.6,
  minContrast: 100,
  band: [0, 0.42],
  letterHeight: [0.05, 0.17],
  maxGap: 0.8,
  splitGap: 0.4,
  widthTolerance: 0.2,
  minScore: 0.6,
};

interface Template {
  word: string;
  width: number;
  height: number;
  cover: Float32Array;
}

/** Text coverage (0-1) of the band's pixels for one text colour; `ink` labels (0, or -1)
 * the pixels covered more than options.inkCover. */
interface InkMap {
  width: number;
  rows: number;
  side: number;
  cover: Float32Array;
  ink: Int16Array;
}

type Box = [number, number, number, number];

export class WordJudge {
  private readonly textColours: (readonly number[])[];
  private readonly templates: Template[];

  constructor(world: WorldSpec, templates: WordTemplates, readonly options: WordJudgeOptions = DEFAULT_WORD_JUDGE_OPTIONS) {
    this.textColours = ['black', 'white'].map((name) => world.colours[name]);
    this.templates = world.words.flatMap((word) => {
      const sizes = templates.words[word];
      if (!sizes) throw new Error(`word templates lack "${word}"`);
      return sizes.map(({ width, height, coverage }) => ({ word, width, height, cover: Float32Array.from(Buffer.from(coverage, 'base64'), (v) => v / 255) }));
    });
  }

  /** The words the image shows, best first; at most one reading per place. */
  readWords(img: RgbaImage): ReadWord[] {
    const found: ReadWord[] = [];
    for (const colour of this.textColours) {
      const map = this.inkMap(img, colour);
      for (const run of this.runs(map)) found.push(...this.read(run, map));
    }
    found.sort((a, b) => b.score - a.score);
    return found.filter((r, i) => found.slice(0, i).every((q) => !overlaps(q.box, r.box)));
  }

  /** A pixel's coverage is 1 - its distance from the text colour over the largest such
   * distance around it (the local background: letters are thin); 0 where the
   * surroundings are too close to the text colour to be its background. */
  private inkMap(img: RgbaImage, colour: readonly number[]): InkMap {
    const { width, height } = img;
    const o = this.options;
    const side = Math.min(width, height);
    const rows = Math.min(height, Math.ceil(o.band[1] * side));
    const n = width * rows;
    const d = new Float32Array(n);
    for (let p = 0; p < n; p++) d[p] = Math.hypot(img.data[p * 4] - colour[0], img.data[p * 4 + 1] - colour[1], img.data[p * 4 + 2] - colour[2]);
    const far = maxFilter(d, width, rows, Math.max(2, Math.round(0.025 * side)));
    const cover = new Float32Array(n);
    const ink = new Int16Array(n).fill(-1);
    for (let p = 0; p < n; p++) {
      if (far[p] < o.minContrast) continue;
      cover[p] = 1 - d[p] / far[p];
      if (cover[p] > o.inkCover) ink[p] = 0;
    }
    return { width, rows, side, cover, ink };
  }

  /** Ink pieces (letters, and the thin arcs and bars that come apart from them) grouped
   * into horizontal runs of letter height within the band. */
  private runs(map: InkMap): Component[][] {
    const { width, rows, side } = map;
    const o = this.options;
    const [minH, maxH] = o.letterHeight.map((f) => f * side);
    const parts = connectedComponents(map.ink, width, rows, true).filter((c) => c.area >= 2 && c.y1 - c.y0 <= maxH && c.x1 - c.x0 <= 3 * maxH);
    const group = parts.map((_, i) => i);
    const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i])));
    for (let i = 0; i < parts.length; i++) {
      const a = parts[i];
      for (let j = i + 1; j < parts.length; j++) {
        const b = parts[j];
        const ha = a.y1 - a.y0, hb = b.y1 - b.y0;
        const gap = Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1);
        const overlap = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
        if (gap < o.maxGap * Math.max(ha, hb) && overlap >= 0.5 * Math.min(ha, hb)) group[root(j)] = root(i);
      }
    }
    const runs = new Map<number, Component[]>();
    parts.forEach((c, i) => runs.set(root(i), [...(runs.get(root(i)) ?? []), c]));
    return [...runs.values()].filter((run) => {
      const [, y0, , y1] = boxOf(run);
      return y1 - y0 >= minH && y1 - y0 <= maxH && y0 >= o.band[0] * side && y1 < rows;
    });
  }

  /** A run's word; when none fits, the words of its two sides split at its widest gap
   * (two words on one line can come close enough to form one run). */
  private read(run: Component[], map: InkMap): ReadWord[] {
    const r = this.classify(run, map);
    if (r.score >= this.options.minScore) return [r];
    const byX = [...run].sort((a, b) => a.x0 - b.x0);
    let split = -1;
    let widest = this.options.splitGap * (r.box[3] - r.box[1]);
    for (let i = 1, right = byX[0].x1; i < byX.length; right = Math.max(right, byX[i].x1), i++) {
      if (byX[i].x0 - right > widest) [split, widest] = [i, byX[i].x0 - right];
    }
    if (split < 0) return [];
    const minH = this.options.letterHeight[0] * map.side;
    return [byX.slice(0, split), byX.slice(split)]
      .filter((part) => boxOf(part)[3] - boxOf(part)[1] >= minH)
      .flatMap((part) => this.read(part, map));
  }

  /** The run's best word: the coverage over the run's box, sampled onto each word's
   * template of the nearest height whose width fits, scored by correlation. */
  private classify(run: Component[], map: InkMap): ReadWord {
    const box = boxOf(run);
    const w = box[2] - box[0];
    const h = box[3] - box[1];
    const nearest = new Map<string, Template>();
    for (const t of this.templates) {
      const prev = nearest.get(t.word);
      if (!prev || Math.abs(t.height - h) < Math.abs(prev.height - h)) nearest.set(t.word, t);
    }
    let best: ReadWord = { word: '', box, score: -1 };
    for (const t of nearest.values()) {
      if (Math.abs((w * t.height) / (h * t.width) - 1) > this.options.widthTolerance) continue;
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let ty = 0; ty < t.height; ty++) {
        const row = (box[1] + Math.min(h - 1, Math.floor(((ty + 0.5) * h) / t.height))) * map.width + box[0];
        for (let tx = 0; tx < t.width; tx++) {
          const a = map.cover[row + Math.min(w - 1, Math.floor(((tx + 0.5) * w) / t.width))];
          const b = t.cover[ty * t.width + tx];
          sa += a; sb += b; saa += a * a; sbb += b * b; sab += a * b;
        }
      }
      const n = t.width * t.height;
      const va = saa - (sa * sa) / n, vb = sbb - (sb * sb) / n;
      const score = va > 0 && vb > 0 ? (sab - (sa * sb) / n) / Math.sqrt(va * vb) : 0;
      if (score > best.score) best = { word: t.word, box, score };
    }
    return best;
  }
}

const boxOf = (run: readonly Component[]): Box => [Math.min(...run.map((c) => c.x0)), Math.min(...run.map((c) => c.y0)), Math.max(...run.map((c) => c.x1)), Math.max(...run.map((c) => c.y1))];

const overlaps = (a: Box, b: Box) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

/** Each pixel's largest value within `r` pixels (a square window): rows, then columns. */
function maxFilter(v: Float32Array, width: number, height: number, r: number): Float32Array {
  return maxAlong(maxAlong(v, height, width, width, 1, r), width, height, 1, width, r);
}

/** Running max over `r` on each side along `lines` lines of `length` values, line i
 * starting at i * `lineStep`, its values `step` apart. */
function maxAlong(v: Float32Array, lines: number, length: number, lineStep: number, step: number, r: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < lines; i++) {
    const start = i * lineStep;
    for (let k = 0; k < length; k++) {
      let m = 0;
      for (let j = Math.max(0, k - r); j <= Math.min(length - 1, k + r); j++) m = Math.max(m, v[start + j * step]);
      out[start + k * step] = m;
    }
  }
  return out;
}

/** The world words a caption asks for, in order (captions write them upper-case). */
export function captionWords(caption: string, world: WorldSpec): string[] {
  const words = new Set(world.words);
  return caption.split(/\s+/).filter((t) => words.has(t));
}

export interface WordJudgement {
  requested: number;
  /** requested words that a reading names (each reading counts once) */
  read: number;
  /** readings in all; detected - read are false readings */
  detected: number;
}

/** Matches requested words to readings: a requested word is read when a reading names it. */
export function judgeWords(read: readonly ReadWord[], requested: readonly string[]): WordJudgement {
  const free = read.map((r) => r.word);
  let hits = 0;
  for (const word of requested) {
    const i = free.indexOf(word);
    if (i < 0) continue;
    hits++;
    free.splice(i, 1);
  }
  return { requested: requested.length, read: hits, detected: read.length };
}
