// The Edit Text panel's controller (framework-free): change one word of a generated
// layer's prompt and re-run its generation with that word's text K/V patched in (the
// engine's `text-edit` task). Edit Text on a layer (context menu, properties panel,
// Shift+T) opens the panel with the layer's prompt as words and picks the word-box tool:
// the designer boxes the word on the canvas (optional: without a box the whole layer may
// change), picks the word to replace and types the new one, checked against the pack's
// vocabulary (../../editor/prompt-words.ts: unknown words get the closest known ones) and
// the token count. Apply starts the job; the engine puts the new pixels into the layer in
// place, as one undo step whose provenance records the edit. The view is ./text-edit-panel.tsx.
import type { PackSummary } from '../../../common/contract/contract.ts';
import type { TaskSpecInput } from '../../../common/contract/tasks.ts';
import type { PackVocabulary } from '../../../common/contract/pack-vocabulary.ts';
import type { Provenance } from '../../../common/document/provenance.ts';
import type { LaminaDocument, RasterLayer } from '../../../common/document/document-schema.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import { currentPrompt, generationOf } from '../../../common/document/text-edit-record.ts';
import type { EditorCore } from '../../editor/editor-core.ts';
import { absoluteBounds, type Rect } from '../../editor/geometry.ts';
import type { JobTracker } from '../../editor/jobs/job-tracker.ts';
import type { TaskPanel, TaskPanelContext, TaskPanelDefinition } from '../../editor/jobs/task-panel.ts';
import { completions, promptWords, unknownWords } from '../../editor/prompt-words.ts';
import { Store } from '../../editor/store.ts';
import { replaceWord } from '../../../common/text/replace-word.ts';
import type { ToolId } from '../../editor/tools/root-tool.ts';

export interface TextEditState {
  /** the layer the panel edits; null: the panel is closed */
  layerId: string | null;
  /** the word of the prompt to replace (as the tokenizer sees it) */
  from: string | null;
  /** what it becomes, as typed */
  to: string;
  /** the last Apply's failure, shown in the panel (the toast shows it too) */
  error: string | null;
}

/** A layer Edit Text can work on: a raster layer made by a plain text-to-image generation
 * on a pack that can patch text K/V; or why not, in words a designer can act on. */
export type TextEditSource =
  | { ok: true; layer: RasterLayer; provenance: Provenance; pack: PackSummary; vocabulary: PackVocabulary | null; words: string[] }
  | { ok: false; problem: string };

/** Why `layer` cannot be text-edited, or null when it can (the engine checks the same). */
function refusal(layer: RasterLayer, made: Provenance | null, packs: readonly PackSummary[]): string | null {
  const name = `"${layer.name}"`;
  if (!made) return `${name} was not generated (imported or painted): Edit Text re-runs the generation that made a layer`;
  const p = generationOf(made); // an edited layer: the generation its edits re-run
  if (p.task !== 'generate' || p.pipeline !== 'text-to-image' || p.regions.length > 0 || p.params.init) {
    return `${name} was made by ${p.pipeline}${p.regions.length ? ' with regions' : ''}${p.params.init ? ' from an init image' : ''}: Edit Text re-runs a plain text-to-image generation`;
  }
  const pack = packs.find((k) => k.id === p.packId);
  if (!pack || !pack.ok) return `${name} was generated with model pack "${p.packId}", which is not installed: Edit Text re-runs it on the same pack`;
  if (!pack.pipelines.includes('text-edit')) return `model pack "${p.packId}" has no text K/V inputs: it cannot edit text`;
  return null;
}

/** The distinct words of `text`, in order (by the pack's tokenizer when it has a vocabulary). */
export function promptWordList(text: string, vocab: PackVocabulary | null): string[] {
  const words = vocab ? promptWords(text, vocab).map((w) => w.word) : (text.match(/[\p{L}\p{N}]+/gu) ?? []);
  return [...new Set(words)];
}

/** The layer `layerId` as a text-edit source, or the reason it is not one. */
export function textEditSource(doc: LaminaDocument | null, layerId: string | null, packs: readonly PackSummary[]): TextEditSource {
  if (!doc) return { ok: false, problem: 'Open or create a document first' };
  const layer = layerId ? findLayer(doc.layers, layerId)?.layer : undefined;
  if (!layer) return { ok: false, problem: 'Select a generated picture layer to edit its text' };
  if (layer.kind !== 'raster') return { ok: false, problem: `"${layer.name}" is a ${layer.kind} layer: Edit Text changes a word of a generated picture layer's prompt${layer.kind === 'text' ? ' (edit a text layer\'s words with the Text tool, T)' : ''}` };
  const why = refusal(layer, layer.provenance, packs);
  if (why) return { ok: false, problem: why };
  const provenance = layer.provenance!;
  const pack = packs.find((k) => k.id === provenance.packId)!;
  const vocabulary = pack.vocabulary ?? null;
  return { ok: true, layer, provenance, pack, vocabulary, words: promptWordList(currentPrompt(provenance), vocabulary) };
}

/** What the typed replacement needs before Apply: unknown words (with suggestions) or a
 * different word count (the tokenizer's tokens must stay as many). */
export type ReplacementCheck =
  | { ok: true }
  | { ok: false; problem: string; unknown?: { word: string; suggestions: string[] }[] };

export function checkReplacement(from: string | null, to: string, vocab: PackVocabulary | null): ReplacementCheck {
  if (!from) return { ok: false, problem: 'Pick the word of the prompt to replace' };
  const typed = to.trim();
  if (!typed) return { ok: false, problem: `Type the word that replaces "${from}"` };
  const norm = (s: string) => (vocab?.lowercase ?? true ? s.toLowerCase() : s);
  if (norm(typed) === norm(from)) return { ok: false, problem: `"${typed}" is the word already there: type a different one` };
  if (!vocab) return { ok: true }; // a sub-word tokenizer: the engine counts the tokens
  const unknown = unknownWords(typed, vocab);
  if (unknown.length) {
    const list = unknown.map((word) => ({ word, suggestions: completions(word, vocab, 4) }));
    const say = list.map((u) => `"${u.word}"${u.suggestions.length ? ` (did you mean ${u.suggestions.map((s) => `"${s}"`).join(', ')}?)` : ''}`).join(', ');
    return { ok: false, problem: `${say} ${unknown.length === 1 ? 'is' : 'are'} not in model pack vocabulary`, unknown: list };
  }
  const n = promptWords(typed, vocab).length, m = promptWords(from, vocab).length;
  if (n !== m) return { ok: false, problem: `"${typed}" is ${n} words and "${from}" ${m === 1 ? 'is one' : `${m}`}: a text edit keeps the prompt's token count, so replace one word by one word` };
  return { ok: true };
}

/** The word box (canvas px) in the layer's pixels, clipped to it; null when none; 'outside' when it misses the layer. */
export function boxInLayer(doc: LaminaDocument, layer: RasterLayer, box: Rect | null): [number, number, number, number] | null | 'outside' {
  if (!box) return null;
  const b = absoluteBounds(doc, layer.id) ?? { x: layer.x, y: layer.y, width: layer.width, height: layer.height };
  const x0 = Math.max(0, Math.floor(box.x - b.x)), y0 = Math.max(0, Math.floor(box.y - b.y));
  const x1 = Math.min(layer.width, Math.ceil(box.x + box.width - b.x)), y1 = Math.min(layer.height, Math.ceil(box.y + box.height - b.y));
  if (x1 - x0 < 1 || y1 - y0 < 1) return 'outside';
  return [x0, y0, x1 - x0, y1 - y0];
}

/** The spec Apply sends, or what is missing. */
export type TextEditPlan = { ok: true; spec: TaskSpecInput<'text-edit'>; steps: number } | { ok: false; problem: string };

export class TextEditTask implements TaskPanel {
  readonly id = 'text-edit' as const;
  readonly command = 'layer.editText' as const;
  readonly store = new Store<TextEditState>({ layerId: null, from: null, to: '', error: null });
  private readonly core: EditorCore;
  private readonly jobs: JobTracker;
  private readonly tools: TaskPanelContext['tools'];
  /** the tool before the panel picked the word-box tool (closing goes back to it) */
  private resume: ToolId | null = null;

  constructor(ctx: TaskPanelContext) {
    this.core = ctx.core;
    this.jobs = ctx.jobs;
    this.tools = ctx.tools;
  }

  get state(): TextEditState {
    return this.store.get();
  }

  /** The layer the panel edits (or why it cannot). */
  source(): TextEditSource {
    return textEditSource(this.core.document, this.state.layerId, this.core.state.packs);
  }

  /** Whether Edit Text is offered for `layerId` (menus enable it; the reason is their tooltip). */
  canEdit(layerId: string): { ok: true } | { ok: false; problem: string } {
    const s = textEditSource(this.core.document, layerId, this.core.state.packs);
    return s.ok ? { ok: true } : s;
  }

  /** Edit Text on a layer: opens the panel on it (the selected layer when none is named) and
   * picks the word-box tool. A layer it cannot edit is an info toast and nothing opens. */
  open(layerId?: string): boolean {
    const id = layerId ?? this.core.state.selection[0] ?? null;
    const s = textEditSource(this.core.document, id, this.core.state.packs);
    if (!s.ok) {
      this.core.toast('info', s.problem);
      return false;
    }
    if (this.state.layerId !== s.layer.id) {
      this.store.set({ layerId: s.layer.id, from: s.words.length === 1 ? s.words[0] : null, to: '', error: null });
      this.core.store.set({ wordBox: null });
    }
    if (!this.core.state.selection.includes(s.layer.id)) this.core.select([s.layer.id]);
    this.pickBoxTool();
    return true;
  }

  /** The word-box tool, to box the word on the canvas (the panel's Box button; opening picks it). */
  pickBoxTool(): void {
    if (!this.tools || this.tools.toolId === 'word-box') return;
    this.resume = this.tools.toolId;
    this.tools.setTool('word-box');
  }

  /** Closes the panel: the box goes, and the tool the panel replaced comes back. */
  close(): void {
    this.store.set({ layerId: null, from: null, to: '', error: null });
    this.core.store.set({ wordBox: null });
    if (this.tools?.toolId === 'word-box') this.tools.setTool(this.resume ?? 'move');
    this.resume = null;
  }

  pickWord(from: string): void {
    this.store.set({ from, error: null });
  }

  setReplacement(to: string): void {
    this.store.set({ to, error: null });
  }

  /** A suggestion clicked: it takes the unknown word's place in what was typed. */
  useSuggestion(unknown: string, known: string): void {
    let to: string;
    try {
      to = replaceWord(this.state.to, unknown, known);
    } catch {
      to = known;
    }
    this.setReplacement(to);
  }

  check(): ReplacementCheck {
    const s = this.source();
    return checkReplacement(this.state.from, this.state.to, s.ok ? s.vocabulary : null);
  }

  /** The job's spec from the panel: layer, from, to, the box in layer pixels, the layer's pack. */
  plan(): TextEditPlan {
    const src = this.source();
    if (!src.ok) return src;
    const { from, to } = this.state;
    if (from && !src.words.includes(from)) return { ok: false, problem: `"${from}" is not a word of the prompt "${currentPrompt(src.provenance)}"` };
    const c = checkReplacement(from, to, src.vocabulary);
    if (!c.ok) return c;
    const box = boxInLayer(this.core.document!, src.layer, this.core.state.wordBox);
    if (box === 'outside') return { ok: false, problem: `The box misses "${src.layer.name}": draw it over the word on the layer, or click once to clear it` };
    const spec: TaskSpecInput<'text-edit'> = { layerId: src.layer.id, from: from!, to: to.trim(), packId: src.provenance.packId, ...(box ? { box } : {}) };
    return { ok: true, spec, steps: src.provenance.steps };
  }

  /** The command (Shift+T): opens the panel on the selected layer; when it is open, applies. */
  run(): Promise<void> {
    if (this.state.layerId && this.state.layerId === this.core.state.selection[0]) return this.apply();
    this.open();
    return Promise.resolve();
  }

  /** Apply: starts the text edit; when it lands (one undo step) the panel closes. A problem
   * is shown in the panel; a failed job leaves the panel as it was, with the error. */
  async apply(): Promise<void> {
    const docId = this.core.docId;
    if (!docId || this.jobs.busy) return;
    const plan = this.plan();
    if (!plan.ok) {
      this.store.set({ error: plan.problem });
      return;
    }
    this.store.set({ error: null });
    await this.jobs.start({ task: 'text-edit', docId, spec: plan.spec }, {
      noun: 'Text edit',
      steps: plan.steps,
      onEnded: (e) => {
        if (e.state === 'failed') this.store.set({ error: e.message ?? 'The text edit failed' });
      },
      onLanded: () => this.close(),
    });
  }

  dispose(): void {
    this.store.set({ layerId: null });
  }
}

/** The framework-free registration (the app adds the view in ../task-panels.ts). */
export const textEditTaskPanel: TaskPanelDefinition = { id: 'text-edit', create: (ctx) => new TextEditTask(ctx) };
