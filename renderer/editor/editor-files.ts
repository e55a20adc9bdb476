// Files: new, open (path, bytes, recovery), import, save, export, and the recent-files
// list. The engine reads and writes the files; this part swaps the open document and
// guards unsaved changes.
import type { DocumentSnapshot, ExportFormat } from '../../common/contract/contract.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import { errorOf, type EditorCore } from './editor-core.ts';
import { addRecent, readRecent, type KeyValueStorage, type RecentFile } from './recent-files.ts';

export interface EditorFilesOptions {
  storage?: KeyValueStorage;
  /** ask the user; defaults to "yes" (tests) */
  confirm?: (message: string) => boolean;
  /** opens the Save As dialog when a save needs a path (set by the app shell) */
  saveAs?: () => (() => void) | undefined;
}

type FileBytes = { name: string; dataBase64: string };

export class EditorFiles {
  private readonly confirmFn: (message: string) => boolean;

  constructor(
    private readonly core: EditorCore,
    private readonly opts: EditorFilesOptions = {},
  ) {
    this.confirmFn = opts.confirm ?? (() => true);
  }

  /** True when it is fine to replace the current document (not dirty, or the user agreed). */
  confirmDiscard(): boolean {
    const s = this.core.state.snapshot;
    if (!s || !s.dirty) return true;
    return this.confirmFn(`"${s.document.name}" has unsaved changes. Discard them?`);
  }

  private async replaceDocument(next: Promise<DocumentSnapshot>): Promise<boolean> {
    const prev = this.core.state.snapshot;
    const s = await this.core.guard(next);
    if (!s) return false;
    this.core.setSnapshot(s);
    if (prev && prev.docId !== s.docId) void this.core.client.call('document.close', { docId: prev.docId }).catch(() => undefined);
    if (s.path) this.remember(s.path);
    return true;
  }

  newDocument(width: number, height: number, name?: string): Promise<boolean> {
    return this.replaceDocument(this.core.client.call('document.new', { width, height, name }));
  }
  openPath(path: string): Promise<boolean> {
    return this.replaceDocument(this.core.client.call('document.open', { path }));
  }
  openBytes(file: FileBytes): Promise<boolean> {
    return this.replaceDocument(this.core.client.call('document.openBytes', file));
  }
  recover(path: string): Promise<boolean> {
    return this.replaceDocument(this.core.client.call('document.recover', { path }));
  }

  async importFile(file: FileBytes): Promise<boolean> {
    const docId = this.core.docId;
    if (!docId) return this.openBytes(file);
    const before = this.core.document;
    const s = await this.core.call('document.import', { docId, file });
    if (!s) return false;
    this.core.setSnapshot(s);
    const added = s.document.layers.find((l) => !before || !findLayer(before.layers, l.id));
    if (added) this.core.select([added.id]);
    return true;
  }
  async importPath(path: string): Promise<boolean> {
    const docId = this.core.docId;
    if (!docId) return this.openPath(path);
    const s = await this.core.call('document.import', { docId, path });
    if (s) this.core.setSnapshot(s);
    return !!s;
  }

  /** One save; a target that is another existing file is replaced only after the user agrees. */
  private async saveTo(docId: string, path: string): Promise<{ path: string } | undefined> {
    try {
      return await this.core.client.call('document.save', { docId, path });
    } catch (err) {
      const e = errorOf(err);
      if (e.code === 'exists' && this.confirmFn(`${path} already exists. Replace it?`)) return this.core.call('document.save', { docId, path, overwrite: true });
      this.core.reportError(err);
      return undefined;
    }
  }

  /** Where Save As proposes to save: the document's file, or <projects folder>/<name>.ora. */
  defaultSavePath(): string {
    const s = this.core.state.snapshot;
    if (s?.path) return s.path;
    const name = `${s?.document.name ?? 'Untitled'}.ora`;
    const dir = this.core.state.projectsDir;
    return dir ? `${dir.replace(/[\\/]+$/, '')}/${name}` : name;
  }

  /** Save to `path`, or to the document's own path; false when a path is needed (Save As). */
  async save(path?: string): Promise<boolean> {
    const s = this.core.state.snapshot;
    if (!s) return false;
    const target = path ?? s.path ?? undefined;
    if (!target || !/\.ora$/i.test(target)) {
      const saveAs = this.opts.saveAs?.();
      if (!path && saveAs) {
        saveAs();
        return false;
      }
      if (!target) return false;
    }
    const r = await this.saveTo(s.docId, target);
    if (!r) return false;
    this.remember(r.path);
    const fresh = await this.core.call('document.get', { docId: s.docId });
    if (fresh) this.core.setSnapshot({ ...fresh, version: Math.max(fresh.version, this.core.state.snapshot?.version ?? 0) });
    this.core.toast('success', `Saved ${r.path}`);
    return true;
  }

  async exportTo(format: ExportFormat, path: string): Promise<string[] | null> {
    const docId = this.core.docId;
    if (!docId) return null;
    const r = await this.core.call('export.run', { docId, format, path });
    if (!r) return null;
    this.core.toast('success', `Exported ${r.paths.length === 1 ? r.paths[0] : `${r.paths.length} files`}`);
    return r.paths;
  }

  async exportBytes(format: 'ora' | 'psd' | 'png'): Promise<FileBytes | null> {
    const docId = this.core.docId;
    if (!docId) return null;
    return (await this.core.call('export.bytes', { docId, format })) ?? null;
  }

  remember(path: string): void {
    if (this.opts.storage) addRecent(this.opts.storage, path);
  }
  recentFiles(): RecentFile[] {
    return this.opts.storage ? readRecent(this.opts.storage) : [];
  }
}
