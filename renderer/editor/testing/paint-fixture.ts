// A small document for the painting and selection tests: the memory client keeps pixels.
import { Editor } from '../editor.ts';
import { MemoryClient } from './memory-client.ts';
import type { RasterLayer } from '../../../common/document/document-schema.ts';
import type { ToolPointer } from '../tools/state-node.ts';

/** A 100x100 document with one 60x60 opaque blue raster layer at (20, 20), selected. */
export async function paintSetup() {
  const client = new MemoryClient();
  let n = 0;
  const editor = new Editor({ client, newId: (p) => `${p}${++n}` });
  editor.setScreen(1000, 800);
  await editor.newDocument(100, 100, 'Paint');
  const rgba = new Uint8Array(60 * 60 * 4);
  for (let i = 0; i < rgba.length; i += 4) rgba.set([0, 0, 255, 255], i);
  client.images.set('blue', { width: 60, height: 60, rgba });
  const layer: RasterLayer = { id: 'blue', name: 'blue', kind: 'raster', imageId: 'blue', x: 20, y: 20, width: 60, height: 60, visible: true, opacity: 1, blendMode: 'normal', locked: false, provenance: null };
  await editor.mutate([{ op: 'add', layer, index: 0 }]);
  editor.select(['blue']);
  return { client, editor };
}

export function pixel(client: MemoryClient, editor: Editor, id: string, cx: number, cy: number): number[] {
  const l = editor.document!.layers.find((x) => x.id === id) as RasterLayer;
  const img = client.images.get(l.imageId)!;
  const x = cx - l.x, y = cy - l.y;
  if (x < 0 || y < 0 || x >= l.width || y >= l.height) return [0, 0, 0, 0];
  const i = (y * img.width + x) * 4;
  return [...img.rgba.subarray(i, i + 4)];
}


export const ptr = (x: number, y: number, mods: Partial<ToolPointer> = {}): ToolPointer => ({
  canvas: { x, y }, screen: { x, y }, button: 0, shiftKey: false, altKey: false, modKey: false, ...mods,
});
export const key = (code: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) => ({ code, key: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
export const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };

/** A pointer gesture through the tool tree: down at the first point, moves, up at the last. */
export async function drag(editor: Editor, points: [number, number][], mods: Partial<ToolPointer> = {}): Promise<void> {
  editor.pointer('onPointerDown', ptr(points[0][0], points[0][1], mods));
  for (const [x, y] of points.slice(1)) editor.pointer('onPointerMove', ptr(x, y, mods));
  const [lx, ly] = points[points.length - 1];
  editor.pointer('onPointerUp', ptr(lx, ly, mods));
  await settle();
}
