import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShortcutMap, formatKeys, toCommandId } from './shortcuts.ts';

const key = (code: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => ({
  code, key: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods,
});

test('designer shortcuts map to commands', () => {
  const m = new ShortcutMap();
  assert.equal(m.match(key('KeyV')), 'tool.move');
  assert.equal(m.match(key('KeyM')), 'tool.region');
  assert.equal(m.match(key('KeyB')), 'tool.mask');
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
  assert.equal(m.label('tool.mask'), 'B');
});

test('native menu command ids map onto editor commands', () => {
  assert.equal(toCommandId('file.save'), 'file.save');
  assert.equal(toCommandId('edit.deselect'), 'select.none');
  assert.equal(toCommandId('tool.brush'), 'tool.mask');
  assert.equal(toCommandId('view.actualSize'), 'view.actual');
  assert.equal(toCommandId('nope'), null);
});
