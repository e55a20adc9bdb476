import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShortcutMap, formatKeys, toCommandId } from './shortcuts.ts';

const key = (code: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => ({
  code, key: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods,
});

test('designer shortcuts map to commands', () => {
  const m = new ShortcutMap();
  assert.equal(m.match(key('KeyV')), 'tool.move');
  assert.equal(m.match(key('KeyR')), 'tool.region');
  assert.equal(m.match(key('KeyR', { shiftKey: true })), 'tool.mask');
  assert.equal(m.match(key('Delete')), 'layer.delete');
  assert.equal(m.match(key('KeyZ', { ctrlKey: true })), 'edit.undo');
  assert.equal(m.match(key('KeyZ', { ctrlKey: true, shiftKey: true })), 'edit.redo');
  assert.equal(m.match(key('KeyZ', { metaKey: true })), 'edit.undo');
  assert.equal(m.match(key('BracketRight', { ctrlKey: true })), 'layer.forward');
  assert.equal(m.match(key('BracketLeft', { ctrlKey: true })), 'layer.backward');
  assert.equal(m.match(key('BracketRight', { ctrlKey: true, shiftKey: true })), 'layer.front');
  assert.equal(m.match(key('BracketLeft', { ctrlKey: true, shiftKey: true })), 'layer.back');
  assert.equal(m.match(key('KeyD', { ctrlKey: true })), 'select.none');
  assert.equal(m.match(key('KeyS', { ctrlKey: true })), 'file.save');
  assert.equal(m.match(key('KeyE', { ctrlKey: true })), 'file.export');
  assert.equal(m.match(key('KeyE', { ctrlKey: true, altKey: true })), 'layer.mergeDown');
  assert.equal(m.match(key('Digit0', { ctrlKey: true })), 'view.fit');
  assert.equal(m.match(key('Minus', { ctrlKey: true })), 'view.zoomOut');
});

test('typing in a text field does not trigger tool keys, but Ctrl+S still saves', () => {
  const m = new ShortcutMap();
  assert.equal(m.match(key('KeyV'), true), null);
  assert.equal(m.match(key('Delete'), true), null);
  assert.equal(m.match(key('KeyZ', { ctrlKey: true }), true), null);
  assert.equal(m.match(key('KeyS', { ctrlKey: true }), true), 'file.save');
});

test('labels for tooltips', () => {
  const m = new ShortcutMap();
  assert.equal(m.label('layer.front'), 'Ctrl+Shift+]');
  assert.equal(formatKeys('Mod+KeyZ', true), '⌘Z');
  assert.equal(m.label('tool.mask'), 'Shift+R');
  assert.equal(m.label('help.shortcuts'), 'Shift+/');
});

test('native menu command ids map onto editor commands', () => {
  assert.equal(toCommandId('file.save'), 'file.save');
  assert.equal(toCommandId('edit.deselect'), 'select.none');
  assert.equal(toCommandId('tool.brush'), 'tool.brush');
  assert.equal(toCommandId('tool.mask'), 'tool.mask');
  assert.equal(toCommandId('view.actualSize'), 'view.actual');
  assert.equal(toCommandId('nope'), null);
});

test("Photoshop's letters: B brush, E eraser, I eyedropper, M / W marquee, L lasso, T text, Ctrl+J, Ctrl+D, Ctrl+Shift+I, ?", () => {
  const m = new ShortcutMap();
  assert.equal(m.match(key('KeyB')), 'tool.brush');
  assert.equal(m.match(key('KeyE')), 'tool.eraser');
  assert.equal(m.match(key('KeyI')), 'tool.eyedropper');
  assert.equal(m.match(key('KeyM')), 'tool.marquee');
  assert.equal(m.match(key('KeyW')), 'tool.marquee');
  assert.equal(m.match(key('KeyM', { shiftKey: true })), 'tool.marqueeShape');
  assert.equal(m.match(key('KeyL')), 'tool.lasso');
  assert.equal(m.match(key('KeyA', { ctrlKey: true })), 'select.all');
  assert.equal(m.match(key('KeyD', { ctrlKey: true })), 'select.none');
  assert.equal(m.match(key('KeyI', { ctrlKey: true, shiftKey: true })), 'select.invert');
  assert.equal(m.match(key('KeyC', { ctrlKey: true })), 'edit.copy');
  assert.equal(m.match(key('KeyV', { ctrlKey: true })), 'edit.paste');
  assert.equal(m.match(key('Slash', { shiftKey: true })), 'help.shortcuts');
  assert.equal(m.match(key('KeyT')), 'tool.text');
  assert.equal(m.match(key('KeyA')), 'tool.layers', 'A: the Layers tool (ART boxes)');
  assert.equal(m.match(key('KeyA'), true), null, 'typing an "a" in a prompt does not switch tools');
  assert.equal(m.match(key('KeyA', { ctrlKey: true }), true), null, 'Ctrl+A in a text field selects its text');
  const seen = new Map<string, string>();
  for (const b of m.bindings) {
    const prev = seen.get(b.keys);
    assert.ok(!prev || prev === b.command, `${b.keys} is bound to ${prev} and ${b.command}`);
    seen.set(b.keys, b.command);
  }
});
