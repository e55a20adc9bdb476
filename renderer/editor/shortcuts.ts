// Keyboard shortcut map. Bindings use KeyboardEvent.code (layout-independent position for
// brackets and digits) plus modifiers; "Mod" is Ctrl, or Cmd on macOS.
export type CommandId =
  | 'tool.move' | 'tool.region' | 'tool.mask' | 'tool.text' | 'tool.layers'
  | 'tool.brush' | 'tool.eraser' | 'tool.eyedropper' | 'tool.marquee' | 'tool.marqueeShape' | 'tool.lasso'
  | 'select.all' | 'select.invert' | 'edit.copy' | 'edit.cut' | 'edit.paste' | 'help.shortcuts'
  | 'layer.duplicate' | 'layer.mergeVisible' | 'layer.clip'
  | 'edit.undo' | 'edit.redo'
  | 'layer.delete' | 'layer.forward' | 'layer.backward' | 'layer.front' | 'layer.back'
  | 'layer.mergeDown' | 'layer.group' | 'layer.ungroup'
  | 'select.none'
  | 'file.new' | 'file.open' | 'file.save' | 'file.saveAs' | 'file.export'
  | 'view.zoomIn' | 'view.zoomOut' | 'view.fit' | 'view.actual' | 'view.toggleRegions'
  | 'gen.generate' | 'layer.editText' | 'cancel' | 'commit' | 'tool.crop' | 'transform.free'
  | 'nudge.left' | 'nudge.right' | 'nudge.up' | 'nudge.down'
  | 'nudge.left10' | 'nudge.right10' | 'nudge.up10' | 'nudge.down10';

export interface KeyInput {
  code: string;
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export interface Binding {
  command: CommandId;
  /** e.g. "Mod+Shift+BracketRight", "KeyV", "Delete" */
  keys: string;
  /** also fire while typing in a text field */
  inText?: boolean;
}

export const DEFAULT_BINDINGS: readonly Binding[] = [
  { command: 'tool.move', keys: 'KeyV' },
  // Photoshop's letters for the pixel tools; the region tools moved to R / Shift+R
  { command: 'tool.region', keys: 'KeyR' },
  { command: 'tool.mask', keys: 'Shift+KeyR' },
  { command: 'tool.brush', keys: 'KeyB' },
  { command: 'tool.eraser', keys: 'KeyE' },
  { command: 'tool.eyedropper', keys: 'KeyI' },
  { command: 'tool.marquee', keys: 'KeyM' },
  { command: 'tool.marquee', keys: 'KeyW' },
  { command: 'tool.marqueeShape', keys: 'Shift+KeyM' },
  { command: 'tool.lasso', keys: 'KeyL' },
  { command: 'select.all', keys: 'Mod+KeyA' },
  { command: 'select.invert', keys: 'Mod+Shift+KeyI' },
  { command: 'edit.copy', keys: 'Mod+KeyC' },
  { command: 'edit.cut', keys: 'Mod+KeyX' },
  { command: 'edit.paste', keys: 'Mod+KeyV' },
  { command: 'help.shortcuts', keys: 'Shift+Slash' },
  { command: 'layer.duplicate', keys: 'Mod+KeyJ' },
  { command: 'layer.mergeVisible', keys: 'Mod+Shift+KeyE' },
  { command: 'layer.clip', keys: 'Mod+Alt+KeyG' },
  { command: 'tool.text', keys: 'KeyT' },
  // Edit Text: change a word of a generated layer's prompt (the text-edit task panel)
  { command: 'layer.editText', keys: 'Shift+KeyT' },
  // the Layers tool's anonymous boxes (ART); A is free (Mod+A selects all)
  { command: 'tool.layers', keys: 'KeyA' },
  { command: 'edit.undo', keys: 'Mod+KeyZ' },
  { command: 'edit.redo', keys: 'Mod+Shift+KeyZ' },
  { command: 'edit.redo', keys: 'Mod+KeyY' },
  { command: 'layer.delete', keys: 'Delete' },
  { command: 'layer.delete', keys: 'Backspace' },
  { command: 'layer.forward', keys: 'Mod+BracketRight' },
  { command: 'layer.backward', keys: 'Mod+BracketLeft' },
  { command: 'layer.front', keys: 'Mod+Shift+BracketRight' },
  { command: 'layer.back', keys: 'Mod+Shift+BracketLeft' },
  { command: 'layer.mergeDown', keys: 'Mod+Alt+KeyE' },
  { command: 'layer.group', keys: 'Mod+KeyG' },
  { command: 'layer.ungroup', keys: 'Mod+Shift+KeyG' },
  { command: 'select.none', keys: 'Mod+KeyD' },
  { command: 'file.new', keys: 'Mod+KeyN' },
  { command: 'file.open', keys: 'Mod+KeyO' },
  { command: 'file.save', keys: 'Mod+KeyS', inText: true },
  { command: 'file.saveAs', keys: 'Mod+Shift+KeyS', inText: true },
  { command: 'file.export', keys: 'Mod+KeyE', inText: true },
  { command: 'view.zoomIn', keys: 'Mod+Equal' },
  { command: 'view.zoomIn', keys: 'Mod+Shift+Equal' },
  { command: 'view.zoomIn', keys: 'Mod+NumpadAdd' },
  { command: 'view.zoomOut', keys: 'Mod+Minus' },
  { command: 'view.zoomOut', keys: 'Mod+NumpadSubtract' },
  { command: 'view.fit', keys: 'Mod+Digit0' },
  { command: 'view.actual', keys: 'Mod+Digit1' },
  { command: 'view.toggleRegions', keys: 'KeyH' },
  { command: 'gen.generate', keys: 'Mod+Enter', inText: true },
  { command: 'cancel', keys: 'Escape', inText: true },
  { command: 'commit', keys: 'Enter' },
  { command: 'commit', keys: 'NumpadEnter' },
  { command: 'tool.crop', keys: 'KeyC' },
  { command: 'transform.free', keys: 'Mod+KeyT' },
  { command: 'nudge.left', keys: 'ArrowLeft' },
  { command: 'nudge.right', keys: 'ArrowRight' },
  { command: 'nudge.up', keys: 'ArrowUp' },
  { command: 'nudge.down', keys: 'ArrowDown' },
  { command: 'nudge.left10', keys: 'Shift+ArrowLeft' },
  { command: 'nudge.right10', keys: 'Shift+ArrowRight' },
  { command: 'nudge.up10', keys: 'Shift+ArrowUp' },
  { command: 'nudge.down10', keys: 'Shift+ArrowDown' },
];

/** Command ids used by the Electron menus (main/app/menu-template.ts) that differ from ours. */
export const COMMAND_ALIASES: Record<string, CommandId> = {
  'edit.deselect': 'select.none',
  'view.actualSize': 'view.actual',
  'view.fitOnScreen': 'view.fit',
};

const ALL_COMMANDS = new Set<string>(DEFAULT_BINDINGS.map((b) => b.command));

/** A command id from outside (a native menu), or null if unknown. */
export function toCommandId(id: string): CommandId | null {
  if (COMMAND_ALIASES[id]) return COMMAND_ALIASES[id];
  return ALL_COMMANDS.has(id) ? (id as CommandId) : null;
}

interface Parsed {
  code: string;
  mod: boolean;
  shift: boolean;
  alt: boolean;
}

function parse(keys: string): Parsed {
  const parts = keys.split('+');
  const code = parts[parts.length - 1];
  const mods = new Set(parts.slice(0, -1));
  return { code, mod: mods.has('Mod'), shift: mods.has('Shift'), alt: mods.has('Alt') };
}

export class ShortcutMap {
  private byCode = new Map<string, { p: Parsed; b: Binding }[]>();

  constructor(readonly bindings: readonly Binding[] = DEFAULT_BINDINGS) {
    for (const b of bindings) {
      const p = parse(b.keys);
      const list = this.byCode.get(p.code) ?? [];
      list.push({ p, b });
      this.byCode.set(p.code, list);
    }
  }

  /** The command for a key event, or null. `inText`: the focus is in an editable field. */
  match(ev: KeyInput, inText = false): CommandId | null {
    const mod = ev.ctrlKey || ev.metaKey;
    for (const { p, b } of this.byCode.get(ev.code) ?? []) {
      if (p.mod !== mod || p.shift !== ev.shiftKey || p.alt !== ev.altKey) continue;
      if (inText && !b.inText) continue;
      return b.command;
    }
    return null;
  }

  /** Human label of the first binding of a command, for tooltips: "Ctrl+Shift+]". */
  label(command: CommandId, mac = false): string {
    const b = this.bindings.find((x) => x.command === command);
    return b ? formatKeys(b.keys, mac) : '';
  }
}

const CODE_LABELS: Record<string, string> = {
  BracketRight: ']', BracketLeft: '[', Equal: '+', Minus: '-', NumpadAdd: '+', NumpadSubtract: '-',
  Delete: 'Del', Backspace: 'Backspace', Escape: 'Esc', Enter: 'Enter', Slash: '/',
};

export function formatKeys(keys: string, mac = false): string {
  return keys
    .split('+')
    .map((k) => {
      if (k === 'Mod') return mac ? '⌘' : 'Ctrl';
      if (k === 'Shift') return mac ? '⇧' : 'Shift';
      if (k === 'Alt') return mac ? '⌥' : 'Alt';
      if (k.startsWith('Key')) return k.slice(3);
      if (k.startsWith('Digit')) return k.slice(5);
      return CODE_LABELS[k] ?? k;
    })
    .join(mac ? '' : '+');
}
