// The editor window: top bar (files, history, view), toolbox, canvas, and the panels.
import { useCallback, useEffect, useRef, useState } from 'react';
import { CanvasView } from '../canvas/canvas-view.tsx';
import { useEditorState, useServices } from './editor-context.ts';
import { LayersPanel } from './layers-panel.tsx';
import { PropertiesPanel } from './properties-panel.tsx';
import { TASK_PANELS } from '../tasks/task-panels.ts';
import { Toasts } from './toasts.tsx';
import { ExportDialog, NewDocumentDialog, PathDialog, RecoveryDialog } from './dialogs.tsx';
import { ImageMenu } from './image-menu.tsx';
import { Icon } from './icons.tsx';
import { ToolOptions } from './tool-options.tsx';
import { ShortcutsSheet } from './shortcuts-sheet.tsx';
import { ContextMenu } from './context-menu.tsx';
import type { ToolId } from '../editor/tools/root-tool.ts';
import type { CommandId } from '../editor/shortcuts.ts';
import { canRedo, canUndo } from '../editor/editor-state.ts';

type DialogState =
  | { kind: 'new' }
  | { kind: 'saveAs' }
  | { kind: 'export' }
  | { kind: 'openPath' }
  | { kind: 'shortcuts' }
  | { kind: 'recovery'; items: { path: string; name: string; savedAt: string }[] }
  | null;

const OPENABLE = /\.(ora|psd)$/i;
const IMAGE = /\.(png|jpe?g|webp)$/i;
export const OPEN_ACCEPT = '.ora,.psd,.png,.jpg,.jpeg,.webp,image/png,image/jpeg,image/webp';

export async function fileToBytes(file: File): Promise<{ name: string; dataBase64: string }> {
  const url = await new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error(`could not read ${file.name}`));
    r.readAsDataURL(file);
  });
  return { name: file.name, dataBase64: url.slice(url.indexOf(',') + 1) };
}

function inTextField(t: EventTarget | null): boolean {
  return t instanceof HTMLElement && (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || (t.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'color'].includes((t as HTMLInputElement).type)));
}

/** The brush colour in the toolbox (click to choose; the eyedropper sets it too). */
function ColorSwatch() {
  const { editor } = useServices();
  const color = useEditorState((s) => s.brush.color);
  const hex = `#${color.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  return (
    <label className="swatch" title="Brush colour" style={{ background: hex }} data-testid="color-swatch" data-color={hex}>
      <input type="color" value={hex} aria-label="Brush colour" onChange={(e) => {
        const n = parseInt(e.target.value.slice(1), 16);
        editor.store.set({ brush: { ...editor.state.brush, color: [(n >> 16) & 255, (n >> 8) & 255, n & 255] } });
      }} />
    </label>
  );
}

export type FileDialog = (kind: 'open' | 'save', extensions: string[]) => Promise<string | null>;

export function App({ connection, fileDialog }: { connection: string; fileDialog?: FileDialog }) {
  const { editor } = useServices();
  const snapshot = useEditorState((s) => s.snapshot);
  const tool = useEditorState((s) => s.tool);
  const zoom = useEditorState((s) => s.viewport.zoom);
  const regionsVisible = useEditorState((s) => s.regionsVisible);
  const brushSize = useEditorState((s) => s.brushSize);
  // the Layers tool's box steps count (editor.undo takes them first)
  const undoable = useEditorState(canUndo);
  const redoable = useEditorState(canRedo);
  const [dialog, setDialog] = useState<DialogState>(null);
  const [dropping, setDropping] = useState(false);
  const [recent, setRecent] = useState(() => editor.recentFiles());
  const openInput = useRef<HTMLInputElement>(null);
  const importInput = useRef<HTMLInputElement>(null);
  const label = (c: CommandId) => editor.shortcuts.label(c);

  const openFiles = useCallback(async (files: File[], mode: 'open' | 'import' | 'auto') => {
    for (const file of files) {
      if (!OPENABLE.test(file.name) && !IMAGE.test(file.name)) {
        editor.toast('error', `${file.name}: Lamina opens .ora, .psd, PNG, JPEG and WebP files`, 'unsupported');
        continue;
      }
      const bytes = await fileToBytes(file);
      const asImport = mode === 'import' || (mode === 'auto' && IMAGE.test(file.name) && !!editor.document);
      if (asImport) await editor.importFile(bytes);
      else if (editor.confirmDiscard()) await editor.openBytes(bytes);
    }
  }, [editor]);

  // UI-owned commands
  useEffect(() => {
    editor.uiCommands = {
      'file.new': () => editor.confirmDiscard() && setDialog({ kind: 'new' }),
      'file.open': () => {
        if (!editor.confirmDiscard()) return;
        // desktop: native dialog and open by path (keeps the path for Save); browser: file input
        if (fileDialog) void fileDialog('open', ['ora', 'psd', 'png', 'jpg', 'jpeg', 'webp']).then((p) => (p ? editor.openPath(p) : false));
        else openInput.current?.click();
      },
      'file.saveAs': () => {
        if (!editor.document) return;
        if (fileDialog) void fileDialog('save', ['ora']).then((p) => (p ? editor.save(/\.ora$/i.test(p) ? p : `${p}.ora`) : false));
        else setDialog({ kind: 'saveAs' });
      },
      'file.export': () => editor.document && setDialog({ kind: 'export' }),
      'help.shortcuts': () => setDialog({ kind: 'shortcuts' }),
    };
  }, [editor, fileDialog]);

  // keyboard
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog) return;
      if (editor.handleKey(e, inTextField(e.target))) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [editor, dialog]);

  // unsaved-changes guard
  useEffect(() => {
    const onBefore = (e: BeforeUnloadEvent) => {
      if (editor.state.snapshot?.dirty) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', onBefore);
    return () => window.removeEventListener('beforeunload', onBefore);
  }, [editor]);

  // crash recovery, once connected
  const asked = useRef(false);
  useEffect(() => {
    if (connection !== 'open' || asked.current) return;
    asked.current = true;
    void editor.connect();
    void editor.client.call('document.recoveryList', {}).then((items) => {
      if (items.length) setDialog({ kind: 'recovery', items });
    }).catch(() => undefined);
  }, [connection, editor]);

  // drag-and-drop files onto the window
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    const enter = (e: DragEvent) => { if (hasFiles(e)) { depth++; setDropping(true); e.preventDefault(); } };
    const over = (e: DragEvent) => { if (hasFiles(e)) { e.preventDefault(); e.dataTransfer!.dropEffect = 'copy'; } };
    const leave = () => { depth = Math.max(0, depth - 1); if (!depth) setDropping(false); };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDropping(false);
      void openFiles([...(e.dataTransfer?.files ?? [])], 'auto');
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [openFiles]);

  // paste of an external image (the system clipboard): imported as a layer, centred
  useEffect(() => {
    const paste = (e: ClipboardEvent) => {
      if (inTextField(e.target) || !editor.document) return;
      const files = [...(e.clipboardData?.files ?? [])].filter((f) => IMAGE.test(f.name) || /^image\/(png|jpeg|webp)$/.test(f.type));
      if (!files.length) return;
      e.preventDefault();
      const named = files.map((f) => (IMAGE.test(f.name) ? f : new File([f], `pasted.${f.type.split('/')[1].replace('jpeg', 'jpg')}`, { type: f.type })));
      void openFiles(named, 'import');
    };
    window.addEventListener('paste', paste);
    return () => window.removeEventListener('paste', paste);
  }, [editor, openFiles]);

  useEffect(() => setRecent(editor.recentFiles()), [editor, snapshot?.path]);

  const doc = snapshot?.document;
  const title = doc ? `${doc.name}${snapshot?.dirty ? ' •' : ''} — Lamina` : 'Lamina';
  useEffect(() => { document.title = title; }, [title]);

  const toolBtn = (id: ToolId, icon: string, name: string, cmd: CommandId) => (
    <button
      className={`tool-btn${tool === id ? ' on' : ''}`}
      data-testid={`tool-${id}`}
      aria-pressed={tool === id}
      title={`${name} (${label(cmd)})`}
      aria-label={`${name} (${label(cmd)})`}
      onClick={() => editor.setTool(id)}
    >
      <Icon name={icon} size={18} />
    </button>
  );

  return (
    <div className={`app${dropping ? ' dropping' : ''}`} data-testid="app" data-connection={connection}>
      <header className="topbar">
        <span className="brand">Lamina</span>
        <nav className="menu" aria-label="File">
          <button data-testid="file-new" title={`New (${label('file.new')})`} onClick={() => editor.runCommand('file.new')}>New</button>
          <button data-testid="file-open" title={`Open .ora, .psd or an image (${label('file.open')})`} onClick={() => editor.runCommand('file.open')}>Open</button>
          <button data-testid="file-open-path" title="Open a file by its path on the engine's disk" onClick={() => editor.confirmDiscard() && setDialog({ kind: 'openPath' })}>Open path…</button>
          <button data-testid="file-import" title="Import an image as a layer" disabled={!doc} onClick={() => importInput.current?.click()}>Import</button>
          <button data-testid="file-save" title={`Save (${label('file.save')})`} disabled={!doc} onClick={() => void editor.save()}>Save</button>
          <button data-testid="file-saveas" title={`Save As (${label('file.saveAs')})`} disabled={!doc} onClick={() => editor.runCommand('file.saveAs')}>Save As…</button>
          <button data-testid="file-export" title={`Export (${label('file.export')})`} disabled={!doc} onClick={() => setDialog({ kind: 'export' })}>Export…</button>
          <select
            data-testid="recent-files"
            aria-label="Recent files"
            value=""
            onChange={(e) => { const p = e.target.value; if (p && editor.confirmDiscard()) void editor.openPath(p); }}
          >
            <option value="">Recent…</option>
            {recent.map((r) => <option key={r.path} value={r.path} title={r.path}>{r.name}</option>)}
          </select>
        </nav>
        <nav className="menu" aria-label="Image"><ImageMenu /></nav>
        <nav className="menu" aria-label="Edit">
          <button className="icon-btn" data-testid="undo" disabled={!undoable} title={`Undo ${snapshot?.undoLabel ?? ''} (${label('edit.undo')})`} aria-label="Undo" onClick={() => void editor.undo()}><Icon name="undo" /></button>
          <button className="icon-btn" data-testid="redo" disabled={!redoable} title={`Redo ${snapshot?.redoLabel ?? ''} (${label('edit.redo')})`} aria-label="Redo" onClick={() => void editor.redo()}><Icon name="redo" /></button>
        </nav>
        <span className="doc-title" data-testid="doc-title">{doc ? `${doc.name}${snapshot?.dirty ? ' •' : ''}` : ''}{snapshot?.path ? <span className="muted"> {snapshot.path}</span> : null}</span>
        <nav className="menu" aria-label="View">
          <button className={`icon-btn${regionsVisible ? ' on' : ''}`} data-testid="toggle-regions" aria-pressed={regionsVisible} title={`Show region overlays (${label('view.toggleRegions')})`} aria-label="Region overlays" onClick={() => editor.runCommand('view.toggleRegions')}><Icon name="regions" /></button>
          <button className="icon-btn" title={`Zoom out (${label('view.zoomOut')})`} aria-label="Zoom out" onClick={() => editor.runCommand('view.zoomOut')}>−</button>
          <button className="zoom" data-testid="zoom-level" title={`Fit (${label('view.fit')}) · 100% (${label('view.actual')})`} onClick={() => editor.runCommand('view.fit')}>{Math.round(zoom * 100)}%</button>
          <button className="icon-btn" title={`Zoom in (${label('view.zoomIn')})`} aria-label="Zoom in" onClick={() => editor.runCommand('view.zoomIn')}>+</button>
        </nav>
        <button className="icon-btn" data-testid="shortcuts-button" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" onClick={() => setDialog({ kind: 'shortcuts' })}><Icon name="keyboard" /></button>
        <span className={`conn ${connection}`} data-testid="connection" title={`Engine: ${connection}`} />
      </header>
      <aside className="toolbox" aria-label="Tools">
        {toolBtn('move', 'move', 'Move', 'tool.move')}
        {toolBtn('marquee', 'marquee', 'Marquee', 'tool.marquee')}
        {toolBtn('lasso', 'lasso', 'Lasso', 'tool.lasso')}
        {toolBtn('brush', 'paintbrush', 'Brush', 'tool.brush')}
        {toolBtn('eraser', 'eraser', 'Eraser', 'tool.eraser')}
        {toolBtn('eyedropper', 'eyedropper', 'Eyedropper', 'tool.eyedropper')}
        <ColorSwatch />
        <hr className="tool-sep" />
        {toolBtn('region', 'box', 'Region box', 'tool.region')}
        {toolBtn('mask', 'brush', 'Mask brush', 'tool.mask')}
        {toolBtn('text', 'text', 'Text', 'tool.text')}
        {toolBtn('crop', 'crop', 'Crop', 'tool.crop')}
        {toolBtn('layers', 'layers', 'Layers: boxes for one prompt', 'tool.layers')}
        {tool === 'mask' && (
          <label className="brush-size" title="Brush size">
            <input type="range" min={2} max={400} value={brushSize} aria-label="Brush size" onChange={(e) => editor.store.set({ brushSize: Number(e.target.value) })} />
            <span>{brushSize}</span>
          </label>
        )}
      </aside>
      <aside className="sidebar left" aria-label="Generation">
        {TASK_PANELS.filter((p) => editor.task(p.id)).map((p) => <p.View key={p.id} />)}
      </aside>
      <main className="stage-area">
        {doc && <ToolOptions />}
        {doc ? <CanvasView /> : (
          <div className="welcome" data-testid="welcome">
            <h1>Lamina</h1>
            <p>Draw regions, give each a prompt and a place in the stack, and get back editable layers.</p>
            <div className="actions">
              <button className="primary" onClick={() => editor.runCommand('file.new')}>New document</button>
              <button onClick={() => editor.runCommand('file.open')}>Open…</button>
            </div>
            {recent.length > 0 && (
              <ul className="recent">
                {recent.map((r) => <li key={r.path}><button className="link" onClick={() => void editor.openPath(r.path)} title={r.path}>{r.name}</button></li>)}
              </ul>
            )}
            <p className="muted small">or drop an .ora, .psd, PNG, JPEG or WebP file anywhere</p>
          </div>
        )}
        {connection !== 'open' && <div className="offline" role="status">{connection === 'connecting' ? 'Connecting to the engine…' : 'Engine connection lost, retrying…'}</div>}
      </main>
      <aside className="sidebar right" aria-label="Layers and properties">
        <PropertiesPanel />
        <LayersPanel />
      </aside>
      <Toasts />
      <ContextMenu />
      <input ref={openInput} type="file" hidden accept={OPEN_ACCEPT} data-testid="open-input" onChange={(e) => { const f = [...(e.target.files ?? [])]; e.target.value = ''; void openFiles(f, 'open'); }} />
      <input ref={importInput} type="file" hidden multiple accept=".png,.jpg,.jpeg,.webp,.psd,.ora" data-testid="import-input" onChange={(e) => { const f = [...(e.target.files ?? [])]; e.target.value = ''; void openFiles(f, 'import'); }} />
      {dialog?.kind === 'new' && <NewDocumentDialog onClose={() => setDialog(null)} />}
      {dialog?.kind === 'saveAs' && (
        <PathDialog
          title="Save As" label="File (.ora)" testId="saveas-dialog" confirm="Save"
          initial={editor.defaultSavePath()}
          hint={<>New documents go to the projects folder <code data-testid="projects-dir">{editor.state.projectsDir ?? '(not connected)'}</code>; any path on the engine&apos;s disk works.</>}
          onConfirm={(p) => editor.save(/\.ora$/i.test(p) ? p : `${p}.ora`)}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'openPath' && (
        <PathDialog title="Open" label="File (.ora, .psd, .png, .jpg, .webp)" testId="openpath-dialog" confirm="Open" initial="" onConfirm={(p) => editor.openPath(p)} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'export' && <ExportDialog onClose={() => setDialog(null)} fileDialog={fileDialog} defaultDir={snapshot?.path ? snapshot.path.replace(/[^\\/]*$/, '') : editor.state.projectsDir ? `${editor.state.projectsDir}/` : ''} />}
      {dialog?.kind === 'shortcuts' && <ShortcutsSheet onClose={() => setDialog(null)} />}
      {dialog?.kind === 'recovery' && <RecoveryDialog items={dialog.items} onClose={() => setDialog(null)} />}
      {dropping && <div className="drop-hint">Drop to open (.ora, .psd) or import as a layer (images)</div>}
    </div>
  );
}
