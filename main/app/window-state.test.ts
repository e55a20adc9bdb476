import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_BOUNDS, restoreBounds } from './window-state.ts';
import { MENU } from './menu-template.ts';

const display = { x: 0, y: 0, width: 1920, height: 1080 };

test('restores saved bounds on a visible display', () => {
  assert.deepEqual(restoreBounds({ x: 100, y: 50, width: 1300, height: 820 }, [display]), { x: 100, y: 50, width: 1300, height: 820, maximized: false });
});

test('drops positions off every display, clamps tiny sizes, ignores junk', () => {
  assert.deepEqual(restoreBounds({ x: 5000, y: 50, width: 1300, height: 820, maximized: true }, [display]), { width: 1300, height: 820, maximized: true });
  assert.deepEqual(restoreBounds({ x: 0, y: 0, width: 10, height: 10 }, [display]), { x: 0, y: 0, width: 1024, height: 700, maximized: false });
  assert.equal(restoreBounds('garbage', [display]), DEFAULT_BOUNDS);
  assert.equal(restoreBounds({ width: NaN, height: 5 }, [display]), DEFAULT_BOUNDS);
});

test('menus mirror the editor shortcuts without duplicates', () => {
  const accels = MENU.flatMap((m) => m.items.flatMap((i) => (i !== 'separator' && i.accelerator ? [i.accelerator] : [])));
  assert.equal(new Set(accels).size, accels.length);
  for (const a of ['CmdOrCtrl+Z', 'CmdOrCtrl+Shift+Z', 'CmdOrCtrl+S', 'CmdOrCtrl+E', 'CmdOrCtrl+]', 'CmdOrCtrl+Shift+[', 'V', 'M', 'B', 'Delete', 'CmdOrCtrl+D']) {
    assert.ok(accels.includes(a), a);
  }
});
