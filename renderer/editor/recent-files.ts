// Recent files, most recent first, kept in a key-value storage (localStorage in the app).
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface RecentFile {
  path: string;
  name: string;
  at: string;
}

const KEY = 'lamina.recentFiles';
export const MAX_RECENT = 10;

export function readRecent(storage: KeyValueStorage): RecentFile[] {
  try {
    const v = JSON.parse(storage.getItem(KEY) ?? '[]') as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter((x): x is RecentFile => !!x && typeof x.path === 'string' && typeof x.name === 'string');
  } catch {
    return [];
  }
}

export function addRecent(storage: KeyValueStorage, path: string, now = new Date()): RecentFile[] {
  const name = path.split(/[\\/]/).pop() || path;
  const list = [{ path, name, at: now.toISOString() }, ...readRecent(storage).filter((r) => r.path !== path)].slice(0, MAX_RECENT);
  storage.setItem(KEY, JSON.stringify(list));
  return list;
}

export function removeRecent(storage: KeyValueStorage, path: string): RecentFile[] {
  const list = readRecent(storage).filter((r) => r.path !== path);
  storage.setItem(KEY, JSON.stringify(list));
  return list;
}
