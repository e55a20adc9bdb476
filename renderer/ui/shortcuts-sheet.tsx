// The shortcuts sheet (?): every binding of the editor's shortcut map, grouped, with the
// keys as this platform writes them. Read from the map itself, so it cannot drift.
import type { CommandId } from '../editor/shortcuts.ts';
import { formatKeys } from '../editor/shortcuts.ts';
import { useServices } from './editor-context.ts';
import { Modal } from './dialogs.tsx';

const INFO: Partial<Record<CommandId, [group: string, label: string]>> = {
  'tool.move': ['Tools', 'Move'], 'tool.brush': ['Tools', 'Brush (Alt+click picks a colour)'], 'tool.eraser': ['Tools', 'Eraser'],
  'tool.eyedropper': ['Tools', 'Eyedropper'], 'tool.marquee': ['Tools', 'Marquee'], 'tool.marqueeShape': ['Tools', 'Marquee: rectangle / ellipse'],
  'tool.lasso': ['Tools', 'Lasso'], 'tool.crop': ['Tools', 'Crop (Enter applies)'], 'transform.free': ['Edit', 'Free transform (Enter applies, Esc cancels)'], 'tool.region': ['Tools', 'Region box'], 'tool.mask': ['Tools', 'Region mask brush'],
  'tool.layers': ['Tools', 'Layers: anonymous boxes, one prompt (ART)'], 'tool.text': ['Tools', 'Text'],
  'select.all': ['Select', 'Select all'], 'select.none': ['Select', 'Deselect'], 'select.invert': ['Select', 'Invert selection'],
  'edit.undo': ['Edit', 'Undo'], 'edit.redo': ['Edit', 'Redo'], 'edit.copy': ['Edit', 'Copy pixels'], 'edit.cut': ['Edit', 'Cut pixels'],
  'edit.paste': ['Edit', 'Paste as a new layer'], 'layer.delete': ['Edit', 'Delete layer (with a selection: its pixels)'],
  'layer.duplicate': ['Layers', 'Duplicate layer'], 'layer.forward': ['Layers', 'Bring forward'], 'layer.backward': ['Layers', 'Send backward'],
  'layer.front': ['Layers', 'Bring to front'], 'layer.back': ['Layers', 'Send to back'], 'layer.mergeDown': ['Layers', 'Merge down'],
  'layer.mergeVisible': ['Layers', 'Merge visible'], 'layer.clip': ['Layers', 'Clipping mask'],
  'layer.editText': ['Layers', 'Edit Text: change a word of a generated layer\'s prompt'], 'layer.group': ['Layers', 'Group'], 'layer.ungroup': ['Layers', 'Ungroup'],
  'file.new': ['File', 'New'], 'file.open': ['File', 'Open'], 'file.save': ['File', 'Save'], 'file.saveAs': ['File', 'Save As'], 'file.export': ['File', 'Export'],
  'view.zoomIn': ['View', 'Zoom in'], 'view.zoomOut': ['View', 'Zoom out'], 'view.fit': ['View', 'Fit on screen'], 'view.actual': ['View', 'Actual size'],
  'view.toggleRegions': ['View', 'Region overlays'], 'gen.generate': ['Generate', 'Generate'], 'cancel': ['Generate', 'Cancel / Esc'],
  'nudge.left': ['Move', 'Nudge 1 px (arrows)'], 'nudge.left10': ['Move', 'Nudge 10 px (Shift+arrows)'], 'help.shortcuts': ['Help', 'This sheet'],
};
const GROUPS = ['Tools', 'Select', 'Edit', 'Layers', 'Move', 'View', 'File', 'Generate', 'Help'];

export function ShortcutsSheet({ onClose }: { onClose: () => void }) {
  const { editor } = useServices();
  const mac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
  const rows = new Map<string, { label: string; keys: string[] }[]>();
  const byCommand = new Map<CommandId, string[]>();
  for (const b of editor.shortcuts.bindings) byCommand.set(b.command, [...(byCommand.get(b.command) ?? []), formatKeys(b.keys, mac)]);
  for (const [cmd, keys] of byCommand) {
    const info = INFO[cmd];
    if (!info) continue;
    rows.set(info[0], [...(rows.get(info[0]) ?? []), { label: info[1], keys }]);
  }
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} testId="shortcuts-sheet">
      <div className="shortcuts-sheet">
        {GROUPS.filter((g) => rows.has(g)).map((g) => (
          <section key={g}>
            <h3>{g}</h3>
            <dl>
              {rows.get(g)!.map((r) => (
                <div key={r.label} style={{ display: 'contents' }}>
                  <dt>{r.keys.map((k) => (k === 'Shift+/' ? '?' : k)).join(' / ')}</dt>
                  <dd>{r.label}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
        <section>
          <h3>Mouse</h3>
          <dl>
            <dt>Space+drag</dt><dd>Pan (also the middle button)</dd>
            <dt>Wheel</dt><dd>Zoom (Shift: pan sideways)</dd>
            <dt>Right-click</dt><dd>Layer / canvas menu</dd>
          </dl>
        </section>
      </div>
      <div className="actions"><button className="primary" onClick={onClose}>Close</button></div>
    </Modal>
  );
}
