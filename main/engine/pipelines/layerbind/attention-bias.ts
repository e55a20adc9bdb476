// Additive attention biases over the joint [text; image] sequence of an MMDiT (DESIGN 3:
// the transformer graph takes attn_bias [batch, 1, joint_len, joint_len]; 0 = attend,
// MASK = blocked; zeros change nothing). Rows are queries, columns keys.
//
// The text part of the sequence is the concatenation of slots: slot 0 is the global
// prompt, slot 1 + k is region k's prompt (spec order), each trimmed to its real tokens.
// Image tokens follow in the DiT's patch order (row-major over the token grid).
// A token always attends itself, so no query row is ever fully masked (a fully masked row
// would turn into uniform attention over everything).

/** The graph's "mask value" (manifest transformer.attention_mask_value). */
export const MASK = -10000;

export interface TextLayout {
  /** start of each slot in the text sequence */
  offsets: number[];
  /** tokens in each slot */
  lengths: number[];
  /** total text tokens */
  textLen: number;
}

export function textLayout(lengths: readonly number[]): TextLayout {
  const offsets: number[] = [];
  let t = 0;
  for (const n of lengths) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`slot length must be a positive integer (got ${n})`);
    offsets.push(t);
    t += n;
  }
  return { offsets, lengths: [...lengths], textLen: t };
}

/** 1 for the tokens of the listed slots (text_mask of one batch item; pooled text = their mean). */
export function slotTextMask(layout: TextLayout, slots: readonly number[]): Float32Array {
  const m = new Float32Array(layout.textLen);
  for (const s of slots) m.fill(1, layout.offsets[s], layout.offsets[s] + layout.lengths[s]);
  return m;
}

/** What one token is: a text token of slot `slot`, or image token `image`. */
export interface TokenKind {
  slot: number; // -1 for image tokens
  image: number; // -1 for text tokens
}

/** Builds a [J, J] bias (J = textLen + imageTokens) from a rule: allow(query, key). */
export function buildBias(layout: TextLayout, imageTokens: number, allow: (q: TokenKind, k: TokenKind) => boolean): Float32Array {
  const T = layout.textLen;
  const J = T + imageTokens;
  const kinds: TokenKind[] = new Array(J);
  for (let s = 0; s < layout.offsets.length; s++) {
    for (let t = 0; t < layout.lengths[s]; t++) kinds[layout.offsets[s] + t] = { slot: s, image: -1 };
  }
  for (let n = 0; n < imageTokens; n++) kinds[T + n] = { slot: -1, image: n };
  const bias = new Float32Array(J * J);
  for (let q = 0; q < J; q++) {
    for (let k = 0; k < J; k++) {
      if (q !== k && !allow(kinds[q], kinds[k])) bias[q * J + k] = MASK;
    }
  }
  return bias;
}

/** Union of the masks of `which` regions (token grid). */
function unionOf(masks: readonly Uint8Array[], which: readonly number[], n: number): Uint8Array {
  const u = new Uint8Array(n);
  for (const r of which) for (let i = 0; i < n; i++) u[i] |= masks[r][i];
  return u;
}

/**
 * LayerBind phase 1, instance branch of region `r`: the region's image tokens attend their
 * own prompt (slot 1 + r) and every image token (their own region plus the shared
 * background context, which in this branch IS the background branch's latent); the other
 * image tokens behave as background: the global prompt and the image outside the region.
 * The region's prompt talks only to the region; the global prompt only to the outside.
 */
export function instanceBias(layout: TextLayout, masks: readonly Uint8Array[], r: number): Float32Array {
  const m = masks[r];
  const own = 1 + r;
  return buildBias(layout, m.length, (q, k) => {
    if (q.image >= 0) {
      if (m[q.image]) return k.image >= 0 || k.slot === own;
      return k.image >= 0 ? !m[k.image] : k.slot === 0;
    }
    if (q.slot === own) return k.slot === own || (k.image >= 0 && m[k.image] === 1);
    if (q.slot === 0) return k.slot === 0 || (k.image >= 0 && !m[k.image]);
    return k.slot === q.slot;
  });
}

/**
 * LayerBind phase 2, layered path of region `r` (backToFront = region indices, back
 * first). The region's image tokens attend their own prompt, their whole region (occluded
 * parts included: the instance stays whole under the layers in front) and what lies
 * behind it: the image minus the regions of the layers in front of it. Tokens outside
 * the region follow the global path (global prompt, whole image); their output is not
 * composited, so this only keeps them sane.
 */
export function layeredBias(layout: TextLayout, masks: readonly Uint8Array[], r: number, backToFront: readonly number[]): Float32Array {
  const m = masks[r];
  const n = m.length;
  const depth = backToFront.indexOf(r);
  if (depth < 0) throw new RangeError(`region ${r} is not in the order`);
  const front = unionOf(masks, backToFront.slice(depth + 1), n);
  const own = 1 + r;
  return buildBias(layout, n, (q, k) => {
    if (q.image >= 0 && m[q.image]) {
      if (k.image >= 0) return m[k.image] === 1 || !front[k.image];
      return k.slot === own;
    }
    if (q.image >= 0) return k.image >= 0 || k.slot === 0;
    if (q.slot === own) return k.slot === own || (k.image >= 0 && m[k.image] === 1);
    if (q.slot === 0) return k.slot === 0 || k.image >= 0;
    return k.slot === q.slot;
  });
}

/**
 * Baseline (b), plain attention-mask regional prompting (after Regional-Prompting-FLUX's
 * mask over the joint sequence): region prompts talk only to their region's image tokens
 * and back; image tokens attend image tokens that share a region with them, background
 * (no region) tokens attend each other; every image token also attends the global prompt,
 * which stands in for that method's blend with an unmasked base pass.
 */
export function regionalMaskBias(layout: TextLayout, masks: readonly Uint8Array[]): Float32Array {
  const n = masks[0]?.length ?? 0;
  const any = unionOf(masks, masks.map((_, i) => i), n);
  return buildBias(layout, n, (q, k) => {
    if (q.image >= 0) {
      if (k.slot === 0) return true;
      if (k.slot > 0) return masks[k.slot - 1][q.image] === 1;
      if (!any[q.image] && !any[k.image]) return true;
      return masks.some((m) => m[q.image] === 1 && m[k.image] === 1);
    }
    if (q.slot === 0) return true;
    return k.slot === q.slot || (k.image >= 0 && masks[q.slot - 1][k.image] === 1);
  });
}

/**
 * The bias of an unconditional (empty prompt) item paired with `cond`: the same
 * image-to-image structure, all text open (only the empty prompt's tokens are valid
 * keys there, through text_mask).
 */
export function uncondBias(cond: Float32Array, textLen: number, imageTokens: number): Float32Array {
  const J = textLen + imageTokens;
  const out = new Float32Array(J * J);
  for (let q = textLen; q < J; q++) {
    for (let k = textLen; k < J; k++) out[q * J + k] = cond[q * J + k];
  }
  return out;
}
