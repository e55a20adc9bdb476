// The editor: framework-free. It owns the store, the tool tree and the shortcut map, and
// talks to the engine only through a LaminaClient. The engine owns the document and its
// undo history; every write here is a 'document.mutate' with a declared history mode.
import type { DocumentSnapshot, ExportFormat, LaminaClient, Method, Input, Output, EventPayload } from '../../common/contract/contract.ts';
import type { RawImage } from '../../common/contract/raw-image.ts';
import type { DocumentOpInput, LayerPatch } from '../../common/document/document-ops.ts';
import type { BlendMode, Layer, LaminaDocument, RegionLayer } from '../../common/document/document-schema.ts';
import { findLayer, walkLayers } from '../../common/document/layer-tree.ts';
import { Store } from './store.ts';
import { initialState, type CanvasPreview, type EditorState, type GenerationSettings, type MaskStroke, type Toast } from './editor-state.ts';
import { type Point, type Rect, layerBounds, rectUnion, docRect, roundRect } from './geometry.ts';
import { hitTest, type AlphaSampler } from './hit-test.ts';
import { layerUtil } from './layer-kinds/layer-utils.ts';
import type { Resample } from './layer-kinds/layer-util.ts';
import { snapMove, snapResize, snapTargets, type SnapResult, type SnapTargets } from './snapping.ts';
import { arrangeOp, dropTarget, type Arrange, type DropZone, siblingsOf } from './layer-order.ts';
import { RootTool, type ToolId } from './tools/root-tool.ts';
import type { ToolHost } from './tools/tool-host.ts';
import type { ToolEvent, ToolPointer } from './tools/state-node.ts';
import { ShortcutMap, type CommandId, type KeyInput } from './shortcuts.ts';
import { fitRect, pan, stepZoom, wheelZoom, zoomAt, type Viewport } from './viewport.ts';
import { buildSpec, randomSeed, Throttle } from './generation.ts';
import { maskBoundsAfterStroke } from './mask.ts';
import { addRecent, readRecent, type KeyValueStorage, type RecentFile } from './recent-files.ts';

/** Pixel work the editor needs but cannot do without a DOM; the canvas layer provides it. */
export interface PixelServices {
  /** New mask pixels (alpha = inside) covering `bounds`, from the old mask plus one stroke; null if empty. */
  rasterizeMask(req: { bounds: Rect; base: { imageId: string; rect: Rect } | null; stroke: MaskStroke }): Promise<RawImage | null>;
  /** The image resampled to width x height. */
  resample(imageId: string, width: number, height: number): Promise<RawImage>;
  /** `upper` composited onto `lower` (lower at full opacity, normal) over the union box. */
  mergeDown(upper: PlacedImage, lower: PlacedImage): Promise<{ image: RawImage; rect: Rect }>;
  alphaAt?: AlphaSampler;
}

export interface PlacedImage {
  imageId: string;
  rect: Rect;
  opacity: number;
  blendMode: BlendMode;
}

export interface EditorOptions {
  client: LaminaClient;
  pixels?: PixelServices;
  storage?: KeyValueStorage;
  newId?: (prefix: string) => string;
  /** ask the user; defaults to "yes" (tests) */
  confirm?: (message: string) => boolean;
  /** snapping threshold in screen px */
  snapPx?: number;
  previewIntervalMs?: number;
}

export const REGION_COLORS = ['#4f8cff', '#ff6b6b', '#40c057', '#fab005', '#be4bdb', '#15aabf', '#fd7e14'];

let idCounter = 0;
export function defaultNewId(prefix: string): string {
  idCounter = (idCounter + 1) % 1e6;
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}${idCounter.toString(36)}`;
}

export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function errorOf(err: unknown): { code?: string; message: string } {
  if (err && typeof err === 'object' && 'message' in err) {
    const e = err as { code?: unknown; message: unknown };
    return { code: typeof e.code === 'string' ? e.code : undefined, message: String(e.message) };
  }
  return { message: String(err) };
}

export class Editor implements ToolHost {
  readonly store = new Store<EditorState>(initialState());
  readonly tools: RootTool;
  readonly shortcuts = new ShortcutMap();
  readonly client: LaminaClient;
  pixels: PixelServices | undefined;
  /** UI-owned commands (dialogs): set by the app shell. */
  uiCommands: Partial<Record<CommandId, () => void>> = {};
  private readonly storage: KeyValueStorage | undefined;
  private readonly newId: (prefix: string) => string;
  private readonly confirmFn: (message: string) => boolean;
  private readonly snapPx: number;
  private toastSeq = 0;
  /** every toast shown this session (bounded): for tests and bug reports */
  readonly toastLog: Toast[] = [];
  private unsubscribers: (() => void)[] = [];
  private snapCache: { key: unknown; ids: string; targets: SnapTargets } | null = null;
  private previewThrottle: Throttle<string>;
  private jobEventsBeforeId = new Map<string, EventPayload<'job.event'>[]>();
  private refreshing = false;
  private seenVersion = 0;

  constructor(opts: EditorOptions) {
    this.client = opts.client;
    this.pixels = opts.pixels;
    this.storage = opts.storage;
    this.newId = opts.newId ?? defaultNewId;
    this.confirmFn = opts.confirm ?? (() => true);
    this.snapPx = opts.snapPx ?? 6;
    this.previewThrottle = new Throttle<string>(opts.previewIntervalMs ?? 250, (url) => {
      const job = this.state.job;
      if (job) this.store.set({ job: { ...job, preview: url } });
    });
    this.tools = new RootTool(this);
    this.tools.enter();
    this.unsubscribers.push(
      this.client.on('document.changed', (e) => void this.onDocumentChanged(e)),
      this.client.on('job.event', (e) => this.onJobEvent(e)),
    );
  }

  dispose(): void {
    for (const u of this.unsubscribers) u();
    this.previewThrottle.cancel();
  }

  get state(): EditorState {
    return this.store.get();
  }

  // ---- ToolHost ---------------------------------------------------------------------------
  get document(): LaminaDocument | null {
    return this.state.snapshot?.document ?? null;
  }
  get docId(): string | null {
    return this.state.snapshot?.docId ?? null;
  }
  get selection(): readonly string[] {
    return this.state.selection;
  }
  get zoom(): number {
    return this.state.viewport.zoom;
  }
  get brushSize(): number {
    return this.state.brushSize;
  }
  get regionsVisible(): boolean {
    return this.state.regionsVisible;
  }
  get spacePan(): boolean {
    return this.state.spacePan;
  }
  setSpacePan(held: boolean): void {
    if (held !== this.state.spacePan) this.store.set({ spacePan: held });
  }

  /** The one selected, unlocked, visible layer the move tool's handles can scale (with its canvas box). */
  transformTarget(): { id: string; rect: Rect } | null {
    const doc = this.document;
    if (!doc || this.state.tool !== 'move' || this.state.selection.length !== 1) return null;
    const l = findLayer(doc.layers, this.state.selection[0])?.layer;
    if (!l || l.locked || !l.visible) return null;
    const util = layerUtil(l);
    if (!util.resizable(l) || !util.hittable(l, { regions: this.state.regionsVisible })) return null;
    const rect = this.absoluteBounds(l.id);
    return rect ? { id: l.id, rect } : null;
  }

  snapResize(before: Rect, box: Rect, id: string): { box: Rect; guidesX: number[]; guidesY: number[] } {
    if (!this.document) return { box, guidesX: [], guidesY: [] };
    return snapResize(before, box, this.snapTargetsFor([id]), this.snapPx / this.zoom);
  }

  hitTest(p: Point): Layer | null {
    const doc = this.document;
    if (!doc) return null;
    return hitTest(doc.layers, p, { regions: this.state.regionsVisible, alpha: this.pixels?.alphaAt })?.layer ?? null;
  }

  select(ids: string[]): void {
    const same = ids.length === this.state.selection.length && ids.every((id, i) => id === this.state.selection[i]);
    if (!same) this.store.set({ selection: ids, editingRegionId: null });
  }

  setPreview(preview: CanvasPreview | null): void {
    this.store.set({ preview });
  }

  snapTargetsFor(ids: readonly string[]): SnapTargets {
    const doc = this.document!;
    const key = ids.join('|');
    if (this.snapCache && this.snapCache.key === doc && this.snapCache.ids === key) return this.snapCache.targets;
    const exclude = new Set<string>();
    for (const id of ids) {
      const loc = findLayer(doc.layers, id);
      if (loc) for (const { layer } of walkLayers([loc.layer])) exclude.add(layer.id);
    }
    const targets = snapTargets(doc, exclude);
    this.snapCache = { key: doc, ids: key, targets };
    return targets;
  }

  snapMove(box: Rect, ids: readonly string[]): SnapResult {
    if (!this.document) return { dx: 0, dy: 0, guidesX: [], guidesY: [] };
    return snapMove(box, this.snapTargetsFor(ids), this.snapPx / this.zoom);
  }

  boundsOf(ids: readonly string[]): Rect | null {
    const doc = this.document;
    if (!doc) return null;
    let out: Rect | null = null;
    for (const id of ids) {
      const r = this.absoluteBounds(id);
      if (r) out = out ? rectUnion(out, r) : r;
    }
    return out;
  }

  /** Bounds of a layer on the canvas, with the offsets of the groups that contain it. */
  absoluteBounds(id: string): Rect | null {
    const doc = this.document;
    if (!doc) return null;
    let ox = 0, oy = 0;
    let loc = findLayer(doc.layers, id);
    if (!loc) return null;
    const r = layerBounds(loc.layer);
    if (!r) return null;
    while (loc && loc.parentId) {
      loc = findLayer(doc.layers, loc.parentId);
      if (loc) { ox += loc.layer.x; oy += loc.layer.y; }
    }
    return { ...r, x: r.x + ox, y: r.y + oy };
  }

  commitMove(ids: readonly string[], dx: number, dy: number): void {
    const doc = this.document;
    if (!doc) return;
    const ops: DocumentOpInput[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const loc = findLayer(doc.layers, id);
      if (!loc) continue;
      // a group moves by moving its unlocked leaves; group offsets stay zero
      for (const { layer } of walkLayers([loc.layer])) {
        if (layer.kind === 'group' || layer.locked || seen.has(layer.id)) continue;
        seen.add(layer.id);
        ops.push({ op: 'update', id: layer.id, patch: { x: Math.round(layer.x + dx), y: Math.round(layer.y + dy) } });
      }
    }
    if (!ops.length) {
      this.setPreview(null);
      return;
    }
    void this.mutate(ops, { label: 'Move' }).finally(() => {
      if (this.state.preview?.kind === 'move') this.setPreview(null);
    });
  }

  private lastNudge = { key: '', at: 0, n: 0 };

  /** Arrow keys move the selection by 1 px (Shift: 10); presses within a second are one undo step. */
  async nudge(dx: number, dy: number, now = Date.now()): Promise<void> {
    const doc = this.document;
    if (!doc || !this.state.selection.length) return;
    const ops: DocumentOpInput[] = [];
    for (const id of this.state.selection) {
      const loc = findLayer(doc.layers, id);
      if (!loc) continue;
      for (const { layer } of walkLayers([loc.layer])) {
        if (layer.kind !== 'group' && !layer.locked) ops.push({ op: 'update', id: layer.id, patch: { x: layer.x + dx, y: layer.y + dy } });
      }
    }
    if (!ops.length) return;
    const key = this.state.selection.join('|');
    if (key !== this.lastNudge.key || now - this.lastNudge.at > 1000) this.lastNudge.n++;
    this.lastNudge = { key, at: now, n: this.lastNudge.n };
    await this.mutate(ops, { history: 'merge', mergeKey: `nudge:${key}:${this.lastNudge.n}`, label: 'Nudge' });
  }

  commitRegionBox(rect: Rect): void {
    const r = roundRect(rect);
    const id = this.newId('region');
    const layer: RegionLayer = {
      id, kind: 'region', name: `Region ${this.regionCount() + 1}`, visible: true, opacity: 1, blendMode: 'normal',
      x: r.x, y: r.y, locked: false, provenance: null, prompt: '', color: this.nextRegionColor(),
      shape: { type: 'box', width: r.width, height: r.height },
    };
    void this.addLayer(layer, 'Add Region').then((ok) => {
      if (ok) this.store.set({ selection: [id], editingRegionId: id });
    });
  }

  commitMaskStroke(stroke: MaskStroke): void {
    void this.doMaskStroke(stroke).finally(() => {
      if (this.state.preview?.kind === 'stroke') this.setPreview(null);
    });
  }

  private async doMaskStroke(stroke: MaskStroke): Promise<void> {
    const doc = this.document;
    const docId = this.docId;
    if (!doc || !docId || !this.pixels) return;
    const sel = this.state.selection.length === 1 ? findLayer(doc.layers, this.state.selection[0]) : null;
    const target = sel && sel.layer.kind === 'region' && sel.layer.shape.type === 'mask' && !sel.layer.locked ? (sel.layer as RegionLayer) : null;
    const existing = target ? this.absoluteBounds(target.id) : null;
    const bounds = maskBoundsAfterStroke(existing, stroke, doc);
    if (!bounds) return;
    const base = target && existing && target.shape.type === 'mask' ? { imageId: target.shape.maskImageId, rect: existing } : null;
    const image = await this.guard(this.pixels.rasterizeMask({ bounds, base, stroke }));
    if (image === undefined) return;
    if (image === null) {
      if (target) await this.mutate([{ op: 'remove', ids: [target.id] }], { label: 'Erase Mask' });
      return;
    }
    const put = await this.call('document.putImage', { docId, image });
    if (!put) return;
    const shape = { type: 'mask' as const, width: put.width, height: put.height, maskImageId: put.imageId };
    if (target) {
      const ox = existing!.x - target.x, oy = existing!.y - target.y; // group offset
      await this.mutate([{ op: 'update', id: target.id, patch: { shape, x: bounds.x - ox, y: bounds.y - oy } }], { label: 'Paint Mask' });
    } else {
      const id = this.newId('region');
      const layer: RegionLayer = {
        id, kind: 'region', name: `Mask ${this.regionCount() + 1}`, visible: true, opacity: 1, blendMode: 'normal',
        x: bounds.x, y: bounds.y, locked: false, provenance: null, prompt: '', color: this.nextRegionColor(), shape,
      };
      if (await this.addLayer(layer, 'Add Mask Region')) this.store.set({ selection: [id], editingRegionId: id });
    }
  }

  /** Scale/move a layer to `rect` (canvas px, absolute) from the transform handles. */
  async commitTransform(id: string, rect: Rect): Promise<void> {
    const doc = this.document;
    const docId = this.docId;
    if (!doc || !docId) return;
    const loc = findLayer(doc.layers, id);
    const abs = this.absoluteBounds(id);
    if (!loc || !abs || loc.layer.locked) return;
    const r = roundRect(rect);
    const ox = abs.x - loc.layer.x, oy = abs.y - loc.layer.y;
    const layer = loc.layer;
    const util = layerUtil(layer);
    if (!util.resizable(layer)) return;
    const pixels = this.pixels;
    const resample: Resample = async (imageId, width, height) => {
      if (!pixels) throw new Error('scaling pixels needs the canvas');
      return this.client.call('document.putImage', { docId, image: await pixels.resample(imageId, width, height) });
    };
    try {
      const patch = await util.resize(layer, { ...r, x: r.x - ox, y: r.y - oy }, resample);
      await this.mutate([{ op: 'update', id, patch }], { label: 'Transform' });
    } catch (err) {
      this.reportError(err);
    } finally {
      if (this.state.preview?.kind === 'transform') this.setPreview(null);
    }
  }

  toolPathChanged(): void {
    if (!this.tools) return;
    this.store.set({ tool: this.tools.toolId, toolPath: this.tools.path() });
  }

  // ---- pointer & keyboard ------------------------------------------------------------------
  pointer(event: ToolEvent, p?: ToolPointer): void {
    this.tools.dispatch(event, p);
  }

  setTool(tool: ToolId): void {
    this.tools.setTool(tool);
    this.store.set({ editingRegionId: null });
  }

  /** Handle a key event; returns true when it ran a command (caller prevents default). */
  handleKey(ev: KeyInput, inText: boolean): boolean {
    const cmd = this.shortcuts.match(ev, inText);
    if (!cmd) return false;
    if (cmd === 'cancel' && inText) {
      this.store.set({ editingRegionId: null });
      return false;
    }
    this.runCommand(cmd);
    return true;
  }

  runCommand(cmd: CommandId): void {
    const ui = this.uiCommands[cmd];
    if (ui) {
      ui();
      return;
    }
    switch (cmd) {
      case 'tool.move': return this.setTool('move');
      case 'tool.region': return this.setTool('region');
      case 'tool.mask': return this.setTool('mask');
      case 'edit.undo': return void this.undo();
      case 'edit.redo': return void this.redo();
      case 'layer.delete': return void this.deleteSelection();
      case 'layer.forward': return void this.arrange('forward');
      case 'layer.backward': return void this.arrange('backward');
      case 'layer.front': return void this.arrange('front');
      case 'layer.back': return void this.arrange('back');
      case 'layer.mergeDown': return void this.mergeDown();
      case 'layer.group': return void this.groupSelection();
      case 'layer.ungroup': return void this.ungroupSelection();
      case 'select.none': return this.select([]);
      case 'file.save': return void this.save();
      case 'view.zoomIn': return this.setViewport(stepZoom(this.state.viewport, 1, this.state.screen));
      case 'view.zoomOut': return this.setViewport(stepZoom(this.state.viewport, -1, this.state.screen));
      case 'view.fit': return this.fit();
      case 'view.actual': return this.setViewport(zoomAt(this.state.viewport, 1, { x: this.state.screen.width / 2, y: this.state.screen.height / 2 }));
      case 'view.toggleRegions': return this.store.set({ regionsVisible: !this.state.regionsVisible });
      case 'gen.generate': return void this.generate();
      case 'nudge.left': return void this.nudge(-1, 0);
      case 'nudge.right': return void this.nudge(1, 0);
      case 'nudge.up': return void this.nudge(0, -1);
      case 'nudge.down': return void this.nudge(0, 1);
      case 'nudge.left10': return void this.nudge(-10, 0);
      case 'nudge.right10': return void this.nudge(10, 0);
      case 'nudge.up10': return void this.nudge(0, -10);
      case 'nudge.down10': return void this.nudge(0, 10);
      case 'cancel':
        this.tools.dispatch('onCancel');
        this.store.set({ editingRegionId: null });
        return;
      default:
        return;
    }
  }

  // ---- viewport ----------------------------------------------------------------------------
  setViewport(v: Viewport): void {
    this.store.set({ viewport: v });
  }
  setScreen(width: number, height: number): void {
    const first = this.state.screen.width === 800 && this.state.screen.height === 600;
    this.store.set({ screen: { width, height } });
    if (first) this.fit();
  }
  fit(): void {
    const doc = this.document;
    if (!doc) return;
    this.setViewport(fitRect(docRect(doc), this.state.screen, 40, 8));
  }
  wheel(deltaY: number, anchor: Point): void {
    this.setViewport(wheelZoom(this.state.viewport, deltaY, anchor));
  }
  panBy(dx: number, dy: number): void {
    this.setViewport(pan(this.state.viewport, dx, dy));
  }

  // ---- engine calls ------------------------------------------------------------------------
  toast(kind: Toast['kind'], message: string, code?: string): void {
    const t: Toast = { id: ++this.toastSeq, kind, message, code };
    this.toastLog.push(t);
    if (this.toastLog.length > 200) this.toastLog.shift();
    this.store.set({ toasts: [...this.state.toasts, t].slice(-5) });
    const ms = kind === 'error' ? 9000 : 4000;
    const timer = setTimeout(() => this.dismissToast(t.id), ms) as unknown as { unref?: () => void };
    timer.unref?.();
  }
  dismissToast(id: number): void {
    if (this.state.toasts.some((t) => t.id === id)) this.store.set({ toasts: this.state.toasts.filter((t) => t.id !== id) });
  }
  reportError(err: unknown): void {
    const e = errorOf(err);
    this.toast('error', e.message, e.code);
  }

  private async guard<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      this.reportError(err);
      return undefined;
    }
  }

  /** A contract call whose failure becomes an error toast (returns undefined then). */
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M> | undefined> {
    return this.guard(this.client.call(method, input));
  }

  setSnapshot(s: DocumentSnapshot): void {
    const cur = this.state.snapshot;
    if (cur && cur.docId === s.docId && s.version < cur.version) return;
    const newDoc = !cur || cur.docId !== s.docId;
    const selection = this.state.selection.filter((id) => findLayer(s.document.layers, id));
    const editingRegionId = this.state.editingRegionId && findLayer(s.document.layers, this.state.editingRegionId) ? this.state.editingRegionId : null;
    this.store.set({ snapshot: s, selection: newDoc ? [] : selection, editingRegionId: newDoc ? null : editingRegionId });
    if (newDoc) this.fit();
  }

  private async onDocumentChanged(e: { docId: string; version: number }): Promise<void> {
    const cur = this.state.snapshot;
    if (!cur || cur.docId !== e.docId || e.version <= cur.version) return;
    if (this.state.pending > 0) {
      // our own mutation's reply is on its way and will bring this version (or we refresh after it)
      this.seenVersion = Math.max(this.seenVersion, e.version);
      return;
    }
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const s = await this.client.call('document.get', { docId: e.docId });
      this.setSnapshot(s);
    } catch {
      /* a later event or call will bring it */
    } finally {
      this.refreshing = false;
    }
    const now = this.state.snapshot;
    if (now && now.docId === e.docId && now.version < e.version) void this.onDocumentChanged(e);
  }

  async mutate(ops: DocumentOpInput[], opts: { history?: 'record' | 'merge' | 'ignore'; label?: string; mergeKey?: string } = {}): Promise<boolean> {
    const docId = this.docId;
    if (!docId || !ops.length) return false;
    this.store.set({ pending: this.state.pending + 1 });
    try {
      const s = await this.client.call('document.mutate', { docId, ops, history: opts.history ?? 'record', label: opts.label ?? 'Edit', mergeKey: opts.mergeKey });
      this.setSnapshot(s);
      return true;
    } catch (err) {
      this.reportError(err);
      return false;
    } finally {
      this.store.set({ pending: this.state.pending - 1 });
      const s = this.state.snapshot;
      if (this.state.pending === 0 && s && this.seenVersion > s.version) void this.onDocumentChanged({ docId: s.docId, version: this.seenVersion });
    }
  }

  async undo(): Promise<void> {
    const docId = this.docId;
    if (!docId || !this.state.snapshot?.canUndo) return;
    const s = await this.call('document.undo', { docId });
    if (s) this.setSnapshot(s);
  }
  async redo(): Promise<void> {
    const docId = this.docId;
    if (!docId || !this.state.snapshot?.canRedo) return;
    const s = await this.call('document.redo', { docId });
    if (s) this.setSnapshot(s);
  }

  async connect(): Promise<void> {
    await this.refreshPacks();
  }

  /** Reload the pack list (packs can be installed while the editor runs). */
  async refreshPacks(): Promise<void> {
    const packs = await this.call('models.list', {});
    if (packs) {
      const gen = this.state.gen;
      const packId = gen.packId ?? packs.find((p) => p.ok)?.id ?? packs[0]?.id ?? null;
      this.store.set({ packs, gen: { ...gen, packId } });
    }
  }

  /** True when it is fine to replace the current document (not dirty, or the user agreed). */
  confirmDiscard(): boolean {
    const s = this.state.snapshot;
    if (!s || !s.dirty) return true;
    return this.confirmFn(`"${s.document.name}" has unsaved changes. Discard them?`);
  }

  private async replaceDocument(next: Promise<DocumentSnapshot>): Promise<boolean> {
    const prev = this.state.snapshot;
    const s = await this.guard(next);
    if (!s) return false;
    this.setSnapshot(s);
    if (prev && prev.docId !== s.docId) void this.client.call('document.close', { docId: prev.docId }).catch(() => undefined);
    if (s.path) this.remember(s.path);
    return true;
  }

  newDocument(width: number, height: number, name?: string): Promise<boolean> {
    return this.replaceDocument(this.client.call('document.new', { width, height, name }));
  }
  openPath(path: string): Promise<boolean> {
    return this.replaceDocument(this.client.call('document.open', { path }));
  }
  openBytes(file: { name: string; dataBase64: string }): Promise<boolean> {
    return this.replaceDocument(this.client.call('document.openBytes', file));
  }
  recover(path: string): Promise<boolean> {
    return this.replaceDocument(this.client.call('document.recover', { path }));
  }

  async importFile(file: { name: string; dataBase64: string }): Promise<boolean> {
    const docId = this.docId;
    if (!docId) return this.openBytes(file);
    const before = this.document;
    const s = await this.call('document.import', { docId, file });
    if (!s) return false;
    this.setSnapshot(s);
    const added = s.document.layers.find((l) => !before || !findLayer(before.layers, l.id));
    if (added) this.select([added.id]);
    return true;
  }
  async importPath(path: string): Promise<boolean> {
    const docId = this.docId;
    if (!docId) return this.openPath(path);
    const s = await this.call('document.import', { docId, path });
    if (s) this.setSnapshot(s);
    return !!s;
  }

  /** Save to `path`, or to the document's own path; false when a path is needed (Save As). */
  async save(path?: string): Promise<boolean> {
    const s = this.state.snapshot;
    if (!s) return false;
    const target = path ?? s.path ?? undefined;
    if (!target || !/\.ora$/i.test(target)) {
      if (!path && this.uiCommands['file.saveAs']) {
        this.uiCommands['file.saveAs']();
        return false;
      }
      if (!target) return false;
    }
    const r = await this.call('document.save', { docId: s.docId, path: target });
    if (!r) return false;
    this.remember(r.path);
    const fresh = await this.call('document.get', { docId: s.docId });
    if (fresh) this.setSnapshot({ ...fresh, version: Math.max(fresh.version, this.state.snapshot?.version ?? 0) });
    this.toast('success', `Saved ${r.path}`);
    return true;
  }

  async exportTo(format: ExportFormat, path: string): Promise<string[] | null> {
    const docId = this.docId;
    if (!docId) return null;
    const r = await this.call('export.run', { docId, format, path });
    if (!r) return null;
    this.toast('success', `Exported ${r.paths.length === 1 ? r.paths[0] : `${r.paths.length} files`}`);
    return r.paths;
  }

  async exportBytes(format: 'ora' | 'psd' | 'png'): Promise<{ name: string; dataBase64: string } | null> {
    const docId = this.docId;
    if (!docId) return null;
    return (await this.call('export.bytes', { docId, format })) ?? null;
  }

  remember(path: string): void {
    if (this.storage) addRecent(this.storage, path);
  }
  recentFiles(): RecentFile[] {
    return this.storage ? readRecent(this.storage) : [];
  }

  // ---- layer commands ----------------------------------------------------------------------
  private regionCount(): number {
    const doc = this.document;
    let n = 0;
    if (doc) for (const { layer } of walkLayers(doc.layers)) if (layer.kind === 'region') n++;
    return n;
  }
  private nextRegionColor(): string {
    return REGION_COLORS[this.regionCount() % REGION_COLORS.length];
  }

  /** Add a layer just in front of the selected one (or at the very front). */
  async addLayer(layer: Layer, label: string): Promise<boolean> {
    const doc = this.document;
    if (!doc) return false;
    const sel = this.state.selection[0] ? findLayer(doc.layers, this.state.selection[0]) : null;
    let parentId: string | null = null;
    let index = 0;
    if (sel) {
      if (sel.layer.kind === 'group' && sel.layer.expanded) parentId = sel.layer.id;
      else {
        parentId = sel.parentId;
        index = sel.index;
      }
    }
    return this.mutate([{ op: 'add', layer, parentId, index }], { label });
  }

  updateLayer(id: string, patch: LayerPatch, opts: { history?: 'record' | 'merge' | 'ignore'; label?: string; mergeKey?: string } = {}): Promise<boolean> {
    return this.mutate([{ op: 'update', id, patch }], { label: opts.label ?? 'Layer Properties', history: opts.history, mergeKey: opts.mergeKey });
  }

  async deleteSelection(): Promise<void> {
    const doc = this.document;
    if (!doc || !this.state.selection.length) return;
    const ids = this.state.selection.filter((id) => {
      const l = findLayer(doc.layers, id)?.layer;
      return l && !l.locked;
    });
    if (ids.length < this.state.selection.length) this.toast('info', 'Locked layers were not deleted');
    if (!ids.length) return;
    if (await this.mutate([{ op: 'remove', ids }], { label: ids.length > 1 ? 'Delete Layers' : 'Delete Layer' })) this.select([]);
  }

  async arrange(how: Arrange): Promise<void> {
    const doc = this.document;
    const id = this.state.selection[0];
    if (!doc || !id) return;
    const op = arrangeOp(doc, id, how);
    if (op) await this.mutate([op], { label: how === 'forward' ? 'Bring Forward' : how === 'backward' ? 'Send Backward' : how === 'front' ? 'Bring to Front' : 'Send to Back' });
  }

  /** Drop from the layers panel: move `dragId` before/after/inside `refId`. */
  async dropLayer(dragId: string, refId: string, zone: DropZone): Promise<boolean> {
    const doc = this.document;
    if (!doc) return false;
    const t = dropTarget(doc.layers, dragId, refId, zone);
    if (!t) return false;
    return this.mutate([{ op: 'move', id: dragId, parentId: t.parentId, index: t.index }], { label: 'Reorder Layers' });
  }

  async groupSelection(): Promise<void> {
    const doc = this.document;
    const ids = this.state.selection;
    if (!doc || !ids.length) return;
    const groupId = this.newId('group');
    let n = 1;
    for (const { layer } of walkLayers(doc.layers)) if (layer.kind === 'group') n++;
    if (await this.mutate([{ op: 'group', ids: [...ids], groupId, name: `Group ${n}` }], { label: 'Group Layers' })) this.select([groupId]);
  }

  async ungroupSelection(): Promise<void> {
    const doc = this.document;
    const id = this.state.selection[0];
    const loc = doc && id ? findLayer(doc.layers, id) : null;
    if (!loc || loc.layer.kind !== 'group') return;
    const children = loc.layer.children.map((c) => c.id);
    if (await this.mutate([{ op: 'ungroup', id }], { label: 'Ungroup' })) this.select(children);
  }

  async mergeDown(): Promise<void> {
    const doc = this.document;
    const docId = this.docId;
    const id = this.state.selection[0];
    if (!doc || !docId || !id || !this.pixels) return;
    const loc = findLayer(doc.layers, id);
    if (!loc) return;
    const below = siblingsOf(doc.layers, loc.parentId)[loc.index + 1];
    if (loc.layer.kind !== 'raster' || !below || below.kind !== 'raster') {
      this.toast('info', 'Merge Down needs a raster layer with a raster layer below it');
      return;
    }
    if (below.locked) {
      this.toast('info', `"${below.name}" is locked`);
      return;
    }
    const up = loc.layer;
    const upper: PlacedImage = { imageId: up.imageId, rect: { x: up.x, y: up.y, width: up.width, height: up.height }, opacity: up.visible ? up.opacity : 0, blendMode: up.blendMode };
    const lower: PlacedImage = { imageId: below.imageId, rect: { x: below.x, y: below.y, width: below.width, height: below.height }, opacity: 1, blendMode: 'normal' };
    const merged = await this.guard(this.pixels.mergeDown(upper, lower));
    if (!merged) return;
    const put = await this.call('document.putImage', { docId, image: merged.image });
    if (!put) return;
    const ok = await this.mutate(
      [
        { op: 'remove', ids: [up.id] },
        { op: 'update', id: below.id, patch: { imageId: put.imageId, width: put.width, height: put.height, x: merged.rect.x, y: merged.rect.y } },
      ],
      { label: 'Merge Down' },
    );
    if (ok) this.select([below.id]);
  }

  // ---- generation --------------------------------------------------------------------------
  setGen(patch: Partial<GenerationSettings>): void {
    this.store.set({ gen: { ...this.state.gen, ...patch } });
  }

  /** Starts a generation with the current settings, or with `seed` when given. */
  async generate(seed?: number): Promise<void> {
    const doc = this.document;
    const docId = this.docId;
    if (!doc || !docId) return;
    if (this.state.job && !['done', 'failed', 'cancelled'].includes(this.state.job.state)) return;
    const spec = buildSpec(doc, seed === undefined ? this.state.gen : { ...this.state.gen, seed });
    this.store.set({ job: { jobId: null, state: 'starting', i: 0, n: spec.steps, preview: null }, lastSeed: spec.seed });
    try {
      const { jobId } = await this.client.call('jobs.start', { task: 'generate', docId, spec });
      const job = this.state.job;
      if (job && job.jobId === null) this.store.set({ job: { ...job, jobId } });
      for (const e of this.jobEventsBeforeId.get(jobId) ?? []) this.onJobEvent(e);
      this.jobEventsBeforeId.clear();
    } catch (err) {
      this.store.set({ job: null });
      this.reportError(err);
    } finally {
      if (!this.state.gen.seedLocked) this.setGen({ seed: randomSeed() });
    }
  }

  /** Regenerates with the last generation's seed and the stack's current region order, so
   * each instance keeps its identity while the occlusion follows the new order. */
  async rebindOrder(): Promise<void> {
    if (this.state.lastSeed === null) return;
    await this.generate(this.state.lastSeed);
  }

  async cancelJob(): Promise<void> {
    const job = this.state.job;
    if (!job?.jobId) return;
    await this.call('jobs.cancel', { jobId: job.jobId });
  }

  private onJobEvent(e: EventPayload<'job.event'>): void {
    const job = this.state.job;
    if (!job) return;
    if (job.jobId === null) {
      // the event outran the jobs.start reply
      const list = this.jobEventsBeforeId.get(e.jobId) ?? [];
      list.push(e);
      this.jobEventsBeforeId.set(e.jobId, list);
      return;
    }
    if (e.jobId !== job.jobId) return;
    switch (e.state) {
      case 'queued':
      case 'loading':
        this.store.set({ job: { ...job, state: e.state } });
        break;
      case 'step':
        this.store.set({ job: { ...job, state: 'step', i: e.i ?? job.i, n: e.n ?? job.n } });
        if (e.preview) this.previewThrottle.push(e.preview.startsWith('data:') ? e.preview : `data:image/png;base64,${e.preview}`);
        break;
      case 'done': {
        this.previewThrottle.cancel();
        this.store.set({ job: null });
        this.toast('success', 'Generation finished');
        const before = new Set<string>();
        if (this.document) for (const { layer } of walkLayers(this.document.layers)) before.add(layer.id);
        if (this.docId) {
          void this.call('document.get', { docId: this.docId }).then((s) => {
            if (!s) return;
            this.setSnapshot(s);
            // select what the generation added (it landed as one undo step in the engine)
            const added = s.document.layers.filter((l) => !before.has(l.id)).map((l) => l.id);
            if (added.length) this.select(added);
          });
        }
        break;
      }
      case 'failed':
        this.previewThrottle.cancel();
        this.store.set({ job: null });
        this.toast('error', e.message ?? 'Generation failed', e.code);
        break;
      case 'cancelled':
        this.previewThrottle.cancel();
        this.store.set({ job: null });
        this.toast('info', 'Generation cancelled');
        break;
    }
  }
}

export type { ToolId, CommandId, Viewport, Rect, Point };
export { EngineError as LaminaClientError };
