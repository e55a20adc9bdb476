// Document edits as data. Every change to a document is a list of ops applied by
// `applyOps`: pure, so the engine and the editor run the same code.
import { z } from 'zod';
import { BlendMode, Layer, LaminaDocument, LayerMask, Provenance, RegionShape, TextAlign } from './document-schema.ts';
import { LaminaError } from '../errors/lamina-error.ts';
import { findLayer, isDescendant, updateSiblings } from './layer-tree.ts';
import { GenerationEntry, withGeneration } from './generation-history.ts';

export const LayerPatch = z
  .object({
    name: z.string(),
    visible: z.boolean(),
    opacity: z.number().min(0).max(1),
    blendMode: BlendMode,
    x: z.number().int(),
    y: z.number().int(),
    locked: z.boolean(),
    provenance: Provenance.nullable(),
    prompt: z.string(),
    /** a region's '#rrggbb', a text layer's RGBA */
    color: z.union([z.string(), z.tuple([z.number(), z.number(), z.number(), z.number()])]),
    shape: RegionShape,
    text: z.string(),
    fontSize: z.number().positive(),
    fontFamily: z.string(),
    align: TextAlign,
    expanded: z.boolean(),
    imageId: z.string(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    lockAlpha: z.boolean(),
    clip: z.boolean(),
    mask: LayerMask.nullable(),
  })
  .partial()
  .strict();
export type LayerPatch = z.infer<typeof LayerPatch>;

export const DocumentOp = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), layer: Layer, parentId: z.string().nullable().default(null), index: z.number().int().min(0).default(0) }),
  z.object({ op: z.literal('remove'), ids: z.array(z.string()).min(1) }),
  z.object({ op: z.literal('update'), id: z.string(), patch: LayerPatch }),
  /** Move a layer to `index` among the children of `parentId` (null = root), index 0 = front. */
  z.object({ op: z.literal('move'), id: z.string(), parentId: z.string().nullable().default(null), index: z.number().int().min(0) }),
  z.object({ op: z.literal('group'), ids: z.array(z.string()).min(1), groupId: z.string(), name: z.string() }),
  z.object({ op: z.literal('ungroup'), id: z.string() }),
  z.object({ op: z.literal('rename-document'), name: z.string() }),
  z.object({ op: z.literal('resize-canvas'), width: z.number().int().positive(), height: z.number().int().positive() }),
  /** a generated result enters the document's generation log (newest first) */
  z.object({ op: z.literal('record-generation'), entry: GenerationEntry }),
]);
export type DocumentOp = z.infer<typeof DocumentOp>;
export type DocumentOpInput = z.input<typeof DocumentOp>;

export class DocumentOpError extends LaminaError {
  constructor(message: string) {
    super('bad_op', message);
  }
}

const KIND_FIELDS: Record<Layer['kind'], readonly string[]> = {
  raster: ['imageId', 'width', 'height', 'lockAlpha', 'clip', 'mask'],
  text: ['text', 'fontSize', 'fontFamily', 'color', 'align', 'imageId', 'width', 'height'],
  region: ['prompt', 'color', 'shape'],
  group: ['expanded'],
};
const COMMON_FIELDS = ['name', 'visible', 'opacity', 'blendMode', 'x', 'y', 'locked', 'provenance'];

function locate(doc: LaminaDocument, id: string) {
  const loc = findLayer(doc.layers, id);
  if (!loc) throw new DocumentOpError(`no layer with id "${id}"`);
  return loc;
}

function insertAt(list: Layer[], index: number, layer: Layer): Layer[] {
  const i = Math.min(Math.max(0, index), list.length);
  list.splice(i, 0, layer);
  return list;
}

function removeIds(layers: readonly Layer[], ids: ReadonlySet<string>): Layer[] {
  return layers
    .filter((l) => !ids.has(l.id))
    .map((l) => (l.kind === 'group' ? { ...l, children: removeIds(l.children, ids) } : l));
}

export function applyOp(doc: LaminaDocument, op: DocumentOp): LaminaDocument {
  switch (op.op) {
    case 'add': {
      if (findLayer(doc.layers, op.layer.id)) throw new DocumentOpError(`a layer with id "${op.layer.id}" already exists`);
      return { ...doc, layers: updateSiblings(doc.layers, op.parentId, (s) => insertAt(s, op.index, op.layer)) };
    }
    case 'remove': {
      for (const id of op.ids) locate(doc, id);
      return { ...doc, layers: removeIds(doc.layers, new Set(op.ids)) };
    }
    case 'update': {
      const loc = locate(doc, op.id);
      const allowed = new Set([...COMMON_FIELDS, ...KIND_FIELDS[loc.layer.kind]]);
      for (const key of Object.keys(op.patch)) {
        if (!allowed.has(key)) throw new DocumentOpError(`a ${loc.layer.kind} layer has no field "${key}"`);
      }
      if ('color' in op.patch && (typeof op.patch.color === 'string') !== (loc.layer.kind === 'region')) {
        throw new DocumentOpError(`a ${loc.layer.kind} layer's colour is ${loc.layer.kind === 'region' ? "'#rrggbb'" : 'RGBA'}`);
      }
      if (loc.layer.locked && Object.keys(op.patch).some((k) => k !== 'locked' && k !== 'visible')) {
        throw new DocumentOpError(`layer "${loc.layer.name}" is locked`);
      }
      const updated = { ...loc.layer, ...op.patch } as Layer;
      return { ...doc, layers: updateSiblings(doc.layers, loc.parentId, (s) => s.map((l) => (l.id === op.id ? updated : l))) };
    }
    case 'move': {
      const loc = locate(doc, op.id);
      if (op.parentId !== null) {
        const parent = locate(doc, op.parentId);
        if (parent.layer.kind !== 'group') throw new DocumentOpError(`"${parent.layer.name}" is not a group`);
        if (op.parentId === op.id || isDescendant(doc.layers, op.id, op.parentId)) {
          throw new DocumentOpError('cannot move a group into itself');
        }
      }
      const without = removeIds(doc.layers, new Set([op.id]));
      return { ...doc, layers: updateSiblings(without, op.parentId, (s) => insertAt(s, op.index, loc.layer)) };
    }
    case 'group': {
      if (findLayer(doc.layers, op.groupId)) throw new DocumentOpError(`a layer with id "${op.groupId}" already exists`);
      const locs = op.ids.map((id) => locate(doc, id));
      const parentId = locs[0].parentId;
      if (locs.some((l) => l.parentId !== parentId)) throw new DocumentOpError('layers to group must share a parent');
      locs.sort((a, b) => a.index - b.index);
      const group: Layer = {
        id: op.groupId, name: op.name, kind: 'group', visible: true, opacity: 1, blendMode: 'normal',
        x: 0, y: 0, locked: false, provenance: null, expanded: true, children: locs.map((l) => l.layer),
      };
      const without = removeIds(doc.layers, new Set(op.ids));
      return { ...doc, layers: updateSiblings(without, parentId, (s) => insertAt(s, locs[0].index, group)) };
    }
    case 'ungroup': {
      const loc = locate(doc, op.id);
      if (loc.layer.kind !== 'group') throw new DocumentOpError(`"${loc.layer.name}" is not a group`);
      const children = loc.layer.children;
      return {
        ...doc,
        layers: updateSiblings(doc.layers, loc.parentId, (s) => {
          s.splice(loc.index, 1, ...children);
          return s;
        }),
      };
    }
    case 'rename-document':
      return { ...doc, name: op.name };
    case 'resize-canvas':
      return { ...doc, width: op.width, height: op.height };
    case 'record-generation':
      return { ...doc, generations: withGeneration(doc.generations, op.entry) };
  }
}

export function applyOps(doc: LaminaDocument, ops: readonly DocumentOp[]): LaminaDocument {
  return ops.reduce(applyOp, doc);
}

