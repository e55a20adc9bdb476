// Modal dialogs: New, Save As, Export, Open by path, crash recovery.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useEditorState, useServices } from './editor-context.ts';
import { LIMITS } from '../../common/contract/limits.ts';
import { LimitedNumberInput } from './limited-input.tsx';
import type { PackSummary } from '../../common/contract/contract.ts';

export const SIZE_PRESETS: { label: string; width: number; height: number }[] = [
  { label: 'Square 512', width: 512, height: 512 },
  { label: 'Square 1024', width: 1024, height: 1024 },
  { label: 'Landscape 1024 × 768', width: 1024, height: 768 },
  { label: 'Portrait 768 × 1024', width: 768, height: 1024 },
  { label: 'HD 1920 × 1080', width: 1920, height: 1080 },
  { label: 'Instagram 1080 × 1350', width: 1080, height: 1350 },
  { label: 'A4 @150dpi 1240 × 1754', width: 1240, height: 1754 },
];

/** The presets of the New dialog: the first good pack's native size first (what it generates
 * at without enlarging), then the usual sizes. */
export function sizePresets(packs: readonly PackSummary[]): { label: string; width: number; height: number }[] {
  const pack = packs.find((p) => p.ok && p.native);
  const native = pack?.native ? [{ label: `${pack.id} native ${pack.native.width} × ${pack.native.height} (no enlarging)`, width: pack.native.width, height: pack.native.height }] : [];
  return [...native, ...SIZE_PRESETS];
}

/** What failed, shown inside the dialog that asked for it (the toast says it too). */
export function DialogError({ error, what }: { error: string | null; what: string }) {
  return error ? <p className="dialog-error" role="alert" data-testid="dialog-error">{what} failed: {error}</p> : null;
}

export function Modal({ title, children, onClose, testId }: { title: string; children: ReactNode; onClose: () => void; testId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>('input, select, button');
    first?.focus();
  }, []);
  return (
    <div className="modal-backdrop" onPointerDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        ref={ref}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

export function NewDocumentDialog({ onClose }: { onClose: () => void }) {
  const { editor } = useServices();
  const [w, setW] = useState(1024);
  const [h, setH] = useState(1024);
  const [name, setName] = useState('Untitled');
  const [invalid, setInvalid] = useState<{ w: string | null; h: string | null }>({ w: null, h: null });
  const [error, setError] = useState<string | null>(null);
  const presets = sizePresets(useEditorState((s) => s.packs));
  const create = async () => {
    if (invalid.w || invalid.h) return;
    editor.clearLastError();
    if (await editor.newDocument(w, h, name || 'Untitled')) onClose();
    else setError(editor.lastError?.message ?? 'the engine refused it');
  };
  return (
    <Modal title="New document" onClose={onClose} testId="new-dialog">
      <form onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <label className="block"><span>Name</span><input data-testid="new-name" value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label className="block">
          <span>Preset</span>
          <select
            data-testid="new-preset"
            value={presets.find((p) => p.width === w && p.height === h)?.label ?? 'custom'}
            onChange={(e) => {
              const p = presets.find((x) => x.label === e.target.value);
              if (p) { setW(p.width); setH(p.height); setInvalid({ w: null, h: null }); }
            }}
          >
            {presets.map((p) => <option key={p.label} value={p.label}>{p.label}</option>)}
            <option value="custom">Custom</option>
          </select>
        </label>
        <div className="row">
          <LimitedNumberInput limit={LIMITS.canvasSide} label="Width" testId="new-width" value={w} onChange={setW} onValidity={(e) => setInvalid((v) => ({ ...v, w: e }))} />
          <LimitedNumberInput limit={LIMITS.canvasSide} label="Height" testId="new-height" value={h} onChange={setH} onValidity={(e) => setInvalid((v) => ({ ...v, h: e }))} />
        </div>
        <p className="muted small">{LIMITS.canvasSide.min} to {LIMITS.canvasSide.max} px per side.</p>
        <DialogError error={error} what="New document" />
        <div className="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" data-testid="new-create" disabled={!!(invalid.w || invalid.h)}>Create</button>
        </div>
      </form>
    </Modal>
  );
}

export function PathDialog({ title, label, initial, confirm, onConfirm, onClose, testId, extra, hint }: {
  title: string; label: string; initial: string; confirm: string; testId: string;
  onConfirm: (path: string) => Promise<boolean>; onClose: () => void; extra?: ReactNode; hint?: ReactNode;
}) {
  const { editor } = useServices();
  const [path, setPath] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal title={title} onClose={onClose} testId={testId}>
      <form onSubmit={async (e) => {
        e.preventDefault();
        if (!path.trim()) return;
        editor.clearLastError();
        if (await onConfirm(path.trim())) onClose();
        else setError(editor.lastError?.message ?? null);
      }}>
        <label className="block"><span>{label}</span><input data-testid={`${testId}-path`} value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} /></label>
        <p className="muted small">{hint ?? 'The engine runs on this machine: give a path on its disk.'}</p>
        {extra}
        <DialogError error={error} what={title} />
        <div className="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" data-testid={`${testId}-confirm`}>{confirm}</button>
        </div>
      </form>
    </Modal>
  );
}

function download(name: string, b64: string): void {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes]));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

export function ExportDialog({ onClose, defaultDir, fileDialog }: { onClose: () => void; defaultDir: string; fileDialog?: (kind: 'open' | 'save', extensions: string[]) => Promise<string | null> }) {
  const { editor } = useServices();
  const name = editor.document?.name ?? 'Untitled';
  const [format, setFormat] = useState<'psd' | 'png-stack' | 'png' | 'ora'>('psd');
  const ext = format === 'png-stack' ? '' : `.${format}`;
  const [path, setPath] = useState(`${defaultDir}${name}${ext}`);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setPath((p) => p.replace(/(\.(psd|png|ora))?$/i, ext)), [ext]);
  const failed = () => setError(editor.lastError?.message ?? 'the engine gave no reason');
  return (
    <Modal title="Export" onClose={onClose} testId="export-dialog">
      <form onSubmit={async (e) => {
        e.preventDefault();
        editor.clearLastError();
        if (await editor.exportTo(format, path.trim())) onClose();
        else failed();
      }}>
        <label className="block">
          <span>Format</span>
          <select data-testid="export-format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
            <option value="psd">Photoshop (.psd), layered</option>
            <option value="png-stack">PNG stack (a folder, one PNG per layer)</option>
            <option value="png">PNG, flattened</option>
            <option value="ora">OpenRaster (.ora)</option>
          </select>
        </label>
        <label className="block"><span>{format === 'png-stack' ? 'Folder' : 'File'}</span><input data-testid="export-path" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} /></label>
        {fileDialog && (
          <button type="button" onClick={async () => { const p = await fileDialog('save', format === 'png-stack' ? [] : [format]); if (p) setPath(p); }}>Browse…</button>
        )}
        <DialogError error={error} what="Export" />
        <div className="actions">
          {format !== 'png-stack' && (
            <button type="button" data-testid="export-download" onClick={async () => {
              editor.clearLastError();
              const f = await editor.exportBytes(format);
              if (f) { download(f.name, f.dataBase64); onClose(); } else failed();
            }}>Download</button>
          )}
          <span className="spacer" />
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" data-testid="export-confirm">Export</button>
        </div>
      </form>
    </Modal>
  );
}

export function RecoveryDialog({ items, onClose }: { items: { path: string; name: string; savedAt: string }[]; onClose: () => void }) {
  const { editor } = useServices();
  const [left, setLeft] = useState(items);
  useEffect(() => { if (!left.length) onClose(); }, [left, onClose]);
  return (
    <Modal title="Recover unsaved work?" onClose={onClose} testId="recovery-dialog">
      <p>Lamina found autosaved documents from a session that did not close cleanly.</p>
      <ul className="recovery-list">
        {left.map((r) => (
          <li key={r.path}>
            <span><b>{r.name}</b> <span className="muted">{new Date(r.savedAt).toLocaleString()}</span></span>
            <span className="actions">
              <button className="primary" onClick={async () => { if (await editor.recover(r.path)) onClose(); }}>Recover</button>
              <button onClick={async () => { await editor.call('document.discardRecovery', { path: r.path }); setLeft((l) => l.filter((x) => x.path !== r.path)); }}>Discard</button>
            </span>
          </li>
        ))}
      </ul>
      <div className="actions"><button onClick={onClose}>Later</button></div>
    </Modal>
  );
}
