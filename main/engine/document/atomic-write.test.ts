import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { atomicWriteFile, atomicWriteFolder } from './atomic-write.ts';
import { isLamina } from './test-documents.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamina-atomic-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (s: string) => new TextEncoder().encode(s);

test('writes a new file and replaces an old one, leaving no temp files', async () => {
  const path = join(dir, 'a.ora');
  await atomicWriteFile(path, bytes('one'));
  await atomicWriteFile(path, bytes('two'));
  assert.equal(await readFile(path, 'utf8'), 'two');
  assert.deepEqual(await readdir(dir), ['a.ora']);
});

test('a missing folder or a parent that is a file gives io_error naming the path', async () => {
  const missing = join(dir, 'no-such-dir', 'x.ora');
  await assert.rejects(atomicWriteFile(missing, bytes('x')), isLamina('io_error', /no-such-dir.*does not exist/));
  const file = join(dir, 'plain-file');
  await writeFile(file, 'keep');
  await assert.rejects(atomicWriteFile(join(file, 'x.ora'), bytes('x')), isLamina('io_error', /not a folder/));
  assert.equal(await readFile(file, 'utf8'), 'keep');
});

test('a path under /proc (not writable even by root) gives io_error', async () => {
  await assert.rejects(atomicWriteFile('/proc/lamina-test.ora', bytes('x')), isLamina('io_error', /\/proc\/lamina-test\.ora/));
});

/** Mounts a small tmpfs (needs root and mount rights); otherwise skips the test with the reason. */
function tryMount(t: TestContext, target: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', target], { stdio: 'pipe' });
    return true;
  } catch (err) {
    t.skip(`cannot mount a tmpfs here (${String((err as Error).message).split('\n')[0]}); run as root with mount rights to test this`);
    return false;
  }
}

function unmount(target: string): void {
  execFileSync('umount', [target], { stdio: 'pipe' });
}

test('a full disk (ENOSPC) keeps the previous file intact and leaves no temp file', async (t) => {
  const mnt = join(dir, 'small');
  await mkdir(mnt);
  if (!tryMount(t, mnt, 'size=64k')) return;
  try {
    const path = join(mnt, 'doc.ora');
    await atomicWriteFile(path, bytes('previous'));
    await assert.rejects(atomicWriteFile(path, new Uint8Array(256 * 1024).fill(7)), isLamina('io_error', /disk is full/));
    assert.equal(await readFile(path, 'utf8'), 'previous');
    assert.deepEqual(await readdir(mnt), ['doc.ora']);
  } finally {
    unmount(mnt);
  }
});

test('a read-only file system (EROFS) gives io_error', async (t) => {
  const mnt = join(dir, 'readonly');
  await mkdir(mnt);
  if (!tryMount(t, mnt, 'ro,size=64k')) return;
  try {
    await assert.rejects(atomicWriteFile(join(mnt, 'doc.ora'), bytes('x')), isLamina('io_error', /read-only/));
  } finally {
    unmount(mnt);
  }
});

test('atomicWriteFolder replaces a folder as a whole', async () => {
  const target = join(dir, 'stack');
  await atomicWriteFolder(target, new Map([['old.png', bytes('old')]]));
  const paths = await atomicWriteFolder(target, new Map([['a.png', bytes('a')], ['manifest.json', bytes('{}')]]));
  assert.deepEqual(paths, [join(target, 'a.png'), join(target, 'manifest.json')]);
  assert.deepEqual((await readdir(target)).sort(), ['a.png', 'manifest.json']);
  assert.ok((await readdir(dir)).every((name) => !name.endsWith('.tmp')));
  await assert.rejects(atomicWriteFolder(join(dir, 'nope', 'stack'), new Map([['a', bytes('a')]])), isLamina('io_error'));
});
