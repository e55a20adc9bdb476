import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tempEngine, type TempEngine } from '../testing/temp-engine.ts';
import { extensionProblem } from '../../../common/contract/export-target.ts';
import { FileAccess, isInside } from './file-access.ts';

let t: TempEngine;
before(() => (t = tempEngine()));
after(() => t.dispose());

test('a PNG stack export never replaces a folder holding other files (it used to delete them)', async () => {
  const { docId } = await t.engine.call('document.new', { width: 8, height: 8 });
  const precious = join(t.dir, 'precious');
  mkdirSync(precious);
  writeFileSync(join(precious, 'thesis.txt'), 'years of work');
  await assert.rejects(t.engine.call('export.run', { docId, format: 'png-stack', path: precious }), /folder with other files in it/);
  assert.deepEqual(readdirSync(precious), ['thesis.txt']);
  // a new folder, an empty one, and an earlier stack (re-export) are fine
  const stack = join(t.dir, 'stack');
  await t.engine.call('export.run', { docId, format: 'png-stack', path: stack });
  await t.engine.call('export.run', { docId, format: 'png-stack', path: stack });
  assert.ok(existsSync(join(stack, 'manifest.json')));
  const empty = join(t.dir, 'empty');
  mkdirSync(empty);
  await t.engine.call('export.run', { docId, format: 'png-stack', path: empty });
  // an earlier stack with a stranger in it is not a stack any more
  writeFileSync(join(stack, 'notes.txt'), 'mine');
  await assert.rejects(t.engine.call('export.run', { docId, format: 'png-stack', path: stack }), /other files/);
  assert.ok(existsSync(join(stack, 'notes.txt')));
});

test('writes carry their format\'s extension; reads need a document or image extension (any folder when unrestricted)', async () => {
  const files = new FileAccess();
  assert.equal(files.restricted, false);
  await assert.rejects(files.checkWrite(join(t.dir, 'x.png'), 'psd'), /PSD file must go to a file ending in \.psd/);
  await assert.rejects(files.checkWrite(join(t.dir, '.profile'), 'ora'), /ending in \.ora \(got "\.profile"\)/);
  // the same rule as an export's (common/contract/export-target.ts): a PNG stack is a folder
  await assert.rejects(files.checkWrite(join(t.dir, 'layers.png'), 'png-stack'), /looks like a file name/);
  for (const [format, name] of [['ora', 'a.psd'], ['png', 'a.ora'], ['psd', 'a']] as const) {
    const rule = extensionProblem(format, join(t.dir, name));
    assert.ok(rule, `${format} -> ${name} is refused by the shared rule`);
    await assert.rejects(files.checkWrite(join(t.dir, name), format), (e: Error) => e.message === rule.replace(`${format.toUpperCase()} export`, `a ${format.toUpperCase()} file`));
  }
  assert.equal(await files.checkWrite(join(t.dir, 'X.PSD'), 'psd'), join(t.dir, 'X.PSD'));
  await assert.rejects(files.checkRead('/etc/shadow'), /not a file Lamina opens/);
  await assert.rejects(files.checkRead('/tmp/a\0.png'), /NUL/);
  assert.equal(await files.checkRead('/anywhere/at/all.webp'), '/anywhere/at/all.webp');
});

test('restricted roots: inside passes, outside fails, a granted path passes wherever it is', async () => {
  const root = join(t.dir, 'root');
  mkdirSync(root);
  const files = new FileAccess({ roots: [root] });
  assert.equal(await files.checkRead(join(root, 'deep', 'a.png')), join(root, 'deep', 'a.png'));
  await assert.rejects(files.checkRead(join(t.dir, 'b.png')), /outside the folders/);
  await assert.rejects(files.checkRead(`${root}-sibling/b.png`), /outside the folders/, 'a sibling with the root as prefix is outside');
  files.grant(join(t.dir, 'b.png'));
  assert.equal(await files.checkRead(join(t.dir, 'b.png')), join(t.dir, 'b.png'));
  assert.equal(isInside('/a/b', '/a/b/c'), true);
  assert.equal(isInside('/a/b', '/a/bc'), false);
  assert.equal(isInside('/a/b', '/a/b/../c'), false);
  assert.equal(isInside('/a/b', '/a/b'), false);
});
