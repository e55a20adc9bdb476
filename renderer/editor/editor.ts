// The editor: framework-free. A thin facade over its parts, one concern each:
//   editor-core.ts       store, engine client, toasts, the snapshot and document.mutate
//   editor-tool-host.ts  what the tool tree asks (hit test, snapping, bounds, previews)
//   layer-commands.ts    edits of the layer stack (add, delete, arrange, group, merge, move, ...)
//   editor-files.ts      new / open / import / save / export / recent files
//   jobs/                the job tracker (start, progress, previews, toasts, landed layers)
//                        and the task panel registry (renderer/tasks/ registers the panels)
// This file wires them, owns the tool tree, shortcuts and viewport, and keeps the calls
// the UI, the canvas and the tests use in one place.
import type { DocumentSnapshot, ExportFormat, LaminaClient, Method, Input, Output } from '../../common/contract/contract.ts';
import type { DocumentOpInput, LayerPatch } from '../../common/document/document-ops.ts';
import type { Layer, LaminaDocument } from '../../common/document/document-schema.ts';
import { EditorCore, EngineError, defaultNewId, type MutateOptions } from './editor-core.ts';
import { canRedo, canUndo, type EditorState, type Toast } from './editor-state.ts';
import { EditorFiles } from './editor-files.ts';
import { EditorToolHost } from './editor-tool-host.ts';
import { TextCommands } from './text-commands.ts';
import { absoluteBounds, docRect, type Point, type Rect } from './geometry.ts';
import { JobTracker } from './jobs/job-tracker.ts';
import { PlacementController } from './placement/placement-controller.ts';
import { TaskPanels, type TaskPanel, type TaskPanelDefinition } from './jobs/task-panel.ts';
import { CanvasCommands } from './canvas-commands.ts';
import { LayerCommands } from './layer-commands.ts';
import { PaintCommands } from './paint-commands.ts';
import { SelectionCommands } from './selection-commands.ts';
import { RawImages } from './pixels/raw-images.ts';
import { LayerMaskCommands } from './layer-mask-commands.ts';
import { LayerStackCommands } from './layer-stack-commands.ts';
import { TransformCommands } from './transform-commands.ts';
import { LayerBoxes } from './layer-boxes.ts';
import type { Arrange, DropZone } from './layer-order.ts';
import type { PixelServices } from './pixel-services.ts';
import type { KeyValueStorage, RecentFile } from './recent-files.ts';
import { ShortcutMap, type CommandId, type KeyInput } from './shortcuts.ts';
import { RootTool, type ToolId } from './tools/root-tool.ts';
import type { ToolEvent, ToolPointer } from './tools/state-node.ts';
import { fitRect, stepZoom, wheelZoom, zoomAt, type Viewport } from './viewport.ts';
import type { TaskName } from '../../common/contract/tasks.ts';

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
  /** the task panels (renderer/tasks/task-panels.ts in the app; tests pick theirs) */
  tasks?: readonly TaskPanelDefinition[];
}

export class Editor {
  readonly core: EditorCore;
  readonly toolHost: EditorToolHost;
  readonly layers: LayerCommands;
  /** text layers: place, edit, restyle (the Text tool, T) */
  readonly text: TextCommands;
  /** rotate, flip, crop, Canvas Size, Image Size */
  readonly canvas: CanvasCommands;
  /** brush / eraser strokes and the eyedropper */
  readonly paint: PaintCommands;
  /** the pixel selection (marquee, lasso) and what it limits: delete, copy, paste */
  readonly pixelSelection: SelectionCommands;
  /** raster layer masks: add, enable, apply, delete */
  readonly masks: LayerMaskCommands;
  /** duplicate, merge visible, clipping, lock transparency */
  readonly stack: LayerStackCommands;
  /** free transform's commit (the transform tool, Ctrl+T) */
  readonly transforms: TransformCommands;
  /** the Layers tool's anonymous boxes (A): tool state with its own undo steps */
  readonly boxes: LayerBoxes;
  readonly files: EditorFiles;
  readonly jobs: JobTracker;
  readonly tasks: TaskPanels;
  readonly placement: PlacementController;
  readonly tools: RootTool;
  readonly shortcuts = new ShortcutMap();
  /** UI-owned commands (dialogs): set by the app shell. */
  uiCommands: Partial<Record<CommandId, () => void>> = {};
  private unsubscribers: (() => void)[] = [];

  constructor(opts: EditorOptions) {
    this.core = new EditorCore({ client: opts.client, pixels: opts.pixels, newId: opts.newId ?? defaultNewId });
    this.core.onNewDocument = () => {
      this.fit();
      this.boxes.reset();
    };
    this.boxes = new LayerBoxes(this.core);
    this.layers = new LayerCommands(this.core);
    this.canvas = new CanvasCommands(this.core);
    const raw = new RawImages(() => this.core.client);
    this.paint = new PaintCommands(this.core, raw, this.layers);
    this.pixelSelection = new SelectionCommands(this.core, raw, this.layers);
    this.masks = new LayerMaskCommands(this.core, raw);
    this.stack = new LayerStackCommands(this.core, raw, this.layers, this.pixelSelection);
    this.transforms = new TransformCommands(this.core, raw);
    this.files = new EditorFiles(this.core, { storage: opts.storage, confirm: opts.confirm, saveAs: () => this.uiCommands['file.saveAs'] });
    this.jobs = new JobTracker(this.core, opts.previewIntervalMs);
    // the tool tree is built below; panels reach it through this (a panel's gesture picks its tool)
    const tools = { setTool: (id: ToolId) => this.setTool(id), toolIdOf: () => this.tools.toolId, get toolId(): ToolId { return this.toolIdOf(); } };
    this.tasks = new TaskPanels({ core: this.core, jobs: this.jobs, tools });
    for (const def of opts.tasks ?? []) this.tasks.register(def);
    this.placement = new PlacementController(this.core);
    this.toolHost = new EditorToolHost(this.core, this.layers, opts.snapPx ?? 6, this.placement);
    this.text = new TextCommands(this.core, this.layers);
    this.toolHost.text = this.text;
    this.tools = new RootTool(this.toolHost);
    this.toolHost.tools = this.tools;
    this.toolHost.paint = this.paint;
    this.toolHost.pixelSelection = this.pixelSelection;
    this.toolHost.transforms = this.transforms;
    this.toolHost.canvas = this.canvas;
    this.toolHost.boxes = this.boxes;
    this.tools.enter();
    this.unsubscribers.push(
      this.client.on('document.changed', (e) => void this.core.onDocumentChanged(e)),
      this.client.on('job.event', (e) => {
        this.placement.onJobEvent(e);
        this.jobs.onJobEvent(e);
      }),
    );
  }

  dispose(): void {
    for (const u of this.unsubscribers) u();
    this.jobs.dispose();
    this.tasks.dispose();
    this.placement.dispose();
  }

  // ---- shared state (core) -----------------------------------------------------------------
  get store() {
    return this.core.store;
  }
  get client(): LaminaClient {
    return this.core.client;
  }
  get pixels(): PixelServices | undefined {
    return this.core.pixels;
  }
  set pixels(p: PixelServices | undefined) {
    this.core.pixels = p;
  }
  get state(): EditorState {
    return this.core.state;
  }
  get document(): LaminaDocument | null {
    return this.core.document;
  }
  get docId(): string | null {
    return this.core.docId;
  }
  get selection(): readonly string[] {
    return this.state.selection;
  }
  get toastLog(): readonly Toast[] {
    return this.core.toastLog;
  }
  select(ids: string[]): void {
    this.core.select(ids);
  }
  setSnapshot(s: DocumentSnapshot): void {
    this.core.setSnapshot(s);
  }
  mutate(ops: DocumentOpInput[], opts: MutateOptions = {}): Promise<boolean> {
    return this.core.mutate(ops, opts);
  }
  /** With the Layers tool, its box edits are undone first (while it has any), then the document's. */
  undo(): Promise<void> {
    if (this.state.tool === 'layers' && this.boxes.undo()) return Promise.resolve();
    return this.core.undo();
  }
  redo(): Promise<void> {
    if (this.state.tool === 'layers' && this.boxes.redo()) return Promise.resolve();
    return this.core.redo();
  }
  /** What the undo / redo buttons offer (the Layers tool's box steps count). */
  get canUndo(): boolean {
    return canUndo(this.state);
  }
  get canRedo(): boolean {
    return canRedo(this.state);
  }
  toast(kind: Toast['kind'], message: string, code?: string): void {
    this.core.toast(kind, message, code);
  }
  dismissToast(id: number): void {
    this.core.dismissToast(id);
  }
  reportError(err: unknown): void {
    this.core.reportError(err);
  }
  /** A contract call whose failure becomes an error toast (returns undefined then). */
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M> | undefined> {
    return this.core.call(method, input);
  }

  async connect(): Promise<void> {
    const info = await this.call('app.info', {});
    if (info) this.store.set({ packs: info.packs, projectsDir: info.projectsDir });
    else await this.refreshPacks();
  }
  /** Reload the pack list (packs can be installed while the editor runs). */
  async refreshPacks(): Promise<void> {
    const packs = await this.call('models.list', {});
    if (packs) this.store.set({ packs });
  }

  // ---- tool host (what the canvas asks too) ------------------------------------------------
  get spacePan(): boolean {
    return this.state.spacePan;
  }
  setSpacePan(held: boolean): void {
    if (held !== this.state.spacePan) this.store.set({ spacePan: held });
  }
  hitTest(p: Point): Layer | null {
    return this.toolHost.hitTest(p);
  }
  transformTarget(): { id: string; rect: Rect } | null {
    return this.toolHost.transformTarget();
  }
  /** Bounds of a layer on the canvas, with the offsets of the groups that contain it. */
  absoluteBounds(id: string): Rect | null {
    const doc = this.document;
    return doc ? absoluteBounds(doc, id) : null;
  }
  setPreview(preview: EditorState['preview']): void {
    this.toolHost.setPreview(preview);
  }

  // ---- layer commands ----------------------------------------------------------------------
  addLayer(layer: Layer, label: string): Promise<boolean> {
    return this.layers.addLayer(layer, label);
  }
  updateLayer(id: string, patch: LayerPatch, opts: MutateOptions = {}): Promise<boolean> {
    return this.layers.updateLayer(id, patch, opts);
  }
  setRegionPrompt(id: string, prompt: string): Promise<boolean> {
    return this.layers.setRegionPrompt(id, prompt);
  }
  deleteSelection(): Promise<void> {
    return this.layers.deleteSelection();
  }
  arrange(how: Arrange): Promise<void> {
    return this.layers.arrange(how);
  }
  dropLayer(dragId: string, refId: string, zone: DropZone): Promise<boolean> {
    return this.layers.dropLayer(dragId, refId, zone);
  }
  groupSelection(): Promise<void> {
    return this.layers.groupSelection();
  }
  ungroupSelection(): Promise<void> {
    return this.layers.ungroupSelection();
  }
  mergeDown(): Promise<void> {
    return this.layers.mergeDown();
  }
  nudge(dx: number, dy: number, now?: number): Promise<void> {
    return this.layers.nudge(dx, dy, now);
  }
  commitMove(ids: readonly string[], dx: number, dy: number): void {
    this.layers.commitMove(ids, dx, dy);
  }
  commitTransform(id: string, rect: Rect): Promise<void> {
    return this.layers.commitTransform(id, rect);
  }

  // ---- files -------------------------------------------------------------------------------
  confirmDiscard(): boolean {
    return this.files.confirmDiscard();
  }
  newDocument(width: number, height: number, name?: string): Promise<boolean> {
    return this.files.newDocument(width, height, name);
  }
  openPath(path: string): Promise<boolean> {
    return this.files.openPath(path);
  }
  openBytes(file: { name: string; dataBase64: string }): Promise<boolean> {
    return this.files.openBytes(file);
  }
  recover(path: string): Promise<boolean> {
    return this.files.recover(path);
  }
  importFile(file: { name: string; dataBase64: string }): Promise<boolean> {
    return this.files.importFile(file);
  }
  importPath(path: string): Promise<boolean> {
    return this.files.importPath(path);
  }
  save(path?: string): Promise<boolean> {
    return this.files.save(path);
  }
  defaultSavePath(): string {
    return this.files.defaultSavePath();
  }
  /** the last failed call's error, for the dialog that made it */
  get lastError(): { code?: string; message: string } | null {
    return this.core.lastError;
  }
  clearLastError(): void {
    this.core.lastError = null;
  }
  exportTo(format: ExportFormat, path: string): Promise<string[] | null> {
    return this.files.exportTo(format, path);
  }
  exportBytes(format: 'ora' | 'psd' | 'png'): Promise<{ name: string; dataBase64: string } | null> {
    return this.files.exportBytes(format);
  }
  remember(path: string): void {
    this.files.remember(path);
  }
  recentFiles(): RecentFile[] {
    return this.files.recentFiles();
  }

  // ---- jobs & task panels ------------------------------------------------------------------
  /** The controller of a registered task panel (`editor.task<GenerateTask>('generate')`). */
  task<P extends TaskPanel = TaskPanel>(id: TaskName): P | undefined {
    return this.tasks.get<P>(id);
  }
  cancelJob(): Promise<void> {
    return this.jobs.cancel();
  }

  // ---- pointer & keyboard ------------------------------------------------------------------
  pointer(event: ToolEvent, p?: ToolPointer): void {
    this.tools.dispatch(event, p);
  }

  setTool(tool: ToolId): void {
    this.tools.setTool(tool);
    this.store.set({ editingRegionId: null });
    if (tool !== 'text' && this.state.editingText) this.text.cancel();
  }

  /** Handle a key event; returns true when it ran a command (caller prevents default). */
  handleKey(ev: KeyInput, inText: boolean): boolean {
    const cmd = this.shortcuts.match(ev, inText);
    if (!cmd) return false;
    // Esc cancels a running job first, wherever the focus is
    if (cmd === 'cancel' && this.jobs.busy) {
      void this.cancelJob();
      return true;
    }
    // Ctrl+V with the editor's clipboard empty: the browser's paste event brings an external image
    if (cmd === 'edit.paste' && !this.pixelSelection.clipboard) return false;
    // Enter applies a pending free transform or crop; otherwise it is the focused control's
    if (cmd === 'commit') return this.tools.dispatch('onCommit');
    if (cmd === 'cancel' && inText) {
      this.store.set({ editingRegionId: null });
      return false;
    }
    this.runCommand(cmd);
    return true;
  }

  runCommand(cmd: CommandId): void {
    const ui = this.uiCommands[cmd];
    if (ui) return ui();
    const task = this.tasks.forCommand(cmd);
    if (task) return void task.run();
    switch (cmd) {
      case 'tool.move': return this.setTool('move');
      case 'tool.region': return this.setTool('region');
      case 'tool.mask': return this.setTool('mask');
      case 'tool.brush': return this.setTool('brush');
      case 'tool.eraser': return this.setTool('eraser');
      case 'tool.eyedropper': return this.setTool('eyedropper');
      case 'tool.lasso': return this.setTool('lasso');
      case 'tool.marquee': return this.setTool('marquee');
      case 'tool.marqueeShape':
        this.store.set({ marqueeShape: this.state.marqueeShape === 'rect' ? 'ellipse' : 'rect' });
        return this.setTool('marquee');
      case 'select.all': return this.pixelSelection.selectAll();
      case 'select.invert': return this.pixelSelection.invert();
      case 'edit.copy': return void this.pixelSelection.copy();
      case 'edit.cut': return void this.pixelSelection.cut();
      case 'edit.paste': return void this.pixelSelection.paste();
      case 'layer.duplicate': return void this.stack.duplicate();
      case 'layer.mergeVisible': return void this.stack.mergeVisible();
      case 'layer.clip': return void this.stack.toggle('clip');
      case 'tool.text': return this.setTool('text');
      case 'tool.crop': return this.setTool('crop');
      case 'transform.free': return this.freeTransform();
      case 'commit': return void this.tools.dispatch('onCommit');
      case 'tool.layers': return this.setTool('layers');
      case 'edit.undo': return void this.undo();
      case 'edit.redo': return void this.redo();
      case 'layer.delete':
        if (this.state.tool === 'layers' && this.state.layerBoxes.selected !== null) return this.boxes.remove(this.state.layerBoxes.selected);
        return void (this.state.pixelSelection ? this.pixelSelection.deletePixels() : this.deleteSelection());
      case 'layer.forward': return void this.arrange('forward');
      case 'layer.backward': return void this.arrange('backward');
      case 'layer.front': return void this.arrange('front');
      case 'layer.back': return void this.arrange('back');
      case 'layer.mergeDown': return void this.mergeDown();
      case 'layer.group': return void this.groupSelection();
      case 'layer.ungroup': return void this.ungroupSelection();
      case 'select.none': return this.state.pixelSelection ? this.pixelSelection.deselect() : this.select([]);
      case 'file.save': return void this.save();
      case 'view.zoomIn': return this.setViewport(stepZoom(this.state.viewport, 1, this.state.screen));
      case 'view.zoomOut': return this.setViewport(stepZoom(this.state.viewport, -1, this.state.screen));
      case 'view.fit': return this.fit();
      case 'view.actual': return this.setViewport(zoomAt(this.state.viewport, 1, { x: this.state.screen.width / 2, y: this.state.screen.height / 2 }));
      case 'view.toggleRegions': return this.store.set({ regionsVisible: !this.state.regionsVisible });
      case 'nudge.left': return void this.nudge(-1, 0);
      case 'nudge.right': return void this.nudge(1, 0);
      case 'nudge.up': return void this.nudge(0, -1);
      case 'nudge.down': return void this.nudge(0, 1);
      case 'nudge.left10': return void this.nudge(-10, 0);
      case 'nudge.right10': return void this.nudge(10, 0);
      case 'nudge.up10': return void this.nudge(0, -10);
      case 'nudge.down10': return void this.nudge(0, 10);
      case 'cancel':
        if (this.jobs.busy) return void this.cancelJob();
        this.tools.dispatch('onCancel');
        this.store.set({ editingRegionId: null });
        return;
      default:
        return;
    }
  }

  /** Ctrl+T: free transform of the selected layer (Enter applies, Esc cancels). */
  freeTransform(): void {
    const why = this.transforms.refusal();
    if (why) return this.toast('info', why);
    if (this.tools.toolId === 'transform') return;
    this.tools.setTool('transform', { resume: this.tools.toolId });
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
    this.toolHost.panBy(dx, dy);
  }
}

export type { ToolId, CommandId, Viewport, Rect, Point };
export type { PixelServices, PlacedImage } from './pixel-services.ts';
export { REGION_NEUTRAL } from './region-colour.ts';
export { EngineError, defaultNewId };
export { EngineError as LaminaClientError };
