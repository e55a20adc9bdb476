import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addRecent, readRecent, removeRecent, MAX_RECENT } from './recent-files.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

test('recent files: most recent first, unique, capped', () => {
  const s = memoryStorage();
  addRecent(s, '/a/one.ora');
  addRecent(s, '/a/two.ora');
  addRecent(s, '/a/one.ora');
  assert.deepEqual(readRecent(s).map((r) => r.name), ['one.ora', 'two.ora']);
  for (let i = 0; i < 20; i++) addRecent(s, `/x/${i}.ora`);
  assert.equal(readRecent(s).length, MAX_RECENT);
  removeRecent(s, '/x/19.ora');
  assert.equal(readRecent(s)[0].name, '18.ora');
});

test('garbage in storage reads as empty', () => {
  const s = memoryStorage();
  s.setItem('lamina.recentFiles', '{nope');
  assert.deepEqual(readRecent(s), []);
});
