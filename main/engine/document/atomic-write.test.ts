import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { atomicWriteFile, atomicWriteFolder, sweepTempLitter } from './atomic-write.ts';
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

/** A pid no process has any more: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

test('.tmp litter: the next save of a file removes the temp files a killed writer left, and nothing else', async () => {
  const d = await mkdtemp(join(dir, 'litter-'));
  const dead = deadPid();
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    const names = [
      `.doc.ora.${dead}-0123456789ab.tmp`, // killed mid-write (kill -9): removed
      '.doc.ora.0123456789ab.tmp', // an older build's temp name, no pid: removed
      `.doc.ora.${live.pid}-0123456789ab.tmp`, // another process saving the same file now: kept
      `.other.ora.${dead}-0123456789ab.tmp`, // another file's: left for that file's next save
      '.doc.ora.notes.tmp', // not a Lamina temp name: kept
    ];
    for (const n of names) await writeFile(join(d, n), 'partial');
    await atomicWriteFile(join(d, 'doc.ora'), bytes('new'));
    assert.deepEqual((await readdir(d)).sort(), ['doc.ora', names[3], names[2], names[4]].sort());
    // an engine-folder sweep takes every file's litter at once
    assert.deepEqual(await sweepTempLitter(d), [names[3]]);
    assert.deepEqual(await sweepTempLitter(join(d, 'missing')), []);
  } finally {
    live.kill('SIGKILL');
  }
});

test('.tmp litter: a PNG stack folder moved aside by a killed save is put back, or removed once a new one is in place', async () => {
  const d = await mkdtemp(join(dir, 'aside-'));
  const dead = deadPid();
  // killed between moving the previous stack aside and renaming the new one in
  await mkdir(join(d, `.stack.${dead}-0123456789ab.old`));
  await writeFile(join(d, `.stack.${dead}-0123456789ab.old`, 'a.png'), 'previous');
  await mkdir(join(d, `.stack.${dead}-ba9876543210.tmp`));
  await sweepTempLitter(d);
  assert.deepEqual(await readdir(d), ['stack']);
  assert.equal(await readFile(join(d, 'stack', 'a.png'), 'utf8'), 'previous');
  // the target exists: the moved-aside copy is stale
  await mkdir(join(d, `.stack.${dead}-0123456789ab.old`));
  await atomicWriteFolder(join(d, 'stack'), new Map([['b.png', bytes('b')]]));
  assert.deepEqual(await readdir(d), ['stack']);
  assert.deepEqual(await readdir(join(d, 'stack')), ['b.png']);
});

test('.tmp litter: a new engine clears its recovery folder before it lists what to recover', async () => {
  const { Engine } = await import('../engine.ts');
  const home = await mkdtemp(join(dir, 'home-'));
  const recoveryDir = join(home, 'recovery');
  await mkdir(recoveryDir);
  const temp = `.${'0'.repeat(8)}-aaaa-bbbb-cccc-${'d'.repeat(12)}.ora.${deadPid()}-0123456789ab.tmp`;
  await writeFile(join(recoveryDir, temp), 'partial autosave');
  const engine = new Engine({ packDirs: [], recoveryDir, autosaveMs: 0 });
  try {
    assert.deepEqual(await engine.call('document.recoveryList', {}), []);
    assert.deepEqual(await readdir(recoveryDir), []);
  } finally {
    await engine.close();
  }
});
