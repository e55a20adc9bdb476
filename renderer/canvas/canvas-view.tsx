// The canvas: a react-konva Stage with three Konva.Layers whatever the document holds:
//   background (checkerboard), content (the flattened stack, split only during a gesture),
//   overlay (regions, selection, guides, previews, transform handles).
import { useEffect, useMemo, useRef, useState, useCallback } from 'react';
import { Stage, Layer as KLayer, Group, Rect, Image as KImage, Line, Text, Circle } from 'react-konva';
import type Konva from 'konva';
import type { Layer, LaminaDocument, RegionLayer } from '../../common/document/document-schema.ts';
import { findLayer, walkLayers } from '../../common/document/layer-tree.ts';
import { useCacheVersion, useEditorState, useServices, useStoreState } from '../ui/editor-context.ts';
import type { Rect as R } from '../editor/geometry.ts';
import { screenToCanvas } from '../editor/viewport.ts';
import type { CanvasPreview } from '../editor/editor-state.ts';
import type { BoxTransform } from '../editor/pixels/affine-transform.ts';
import { StackCompositor } from './compositor.ts';
import { layerUtil } from '../editor/layer-kinds/layer-utils.ts';
import type { ImageCache } from './image-cache.ts';
import { RegionPromptEditor } from './region-prompt-editor.tsx';
import { TextEditorOverlay } from './text-editor-overlay.tsx';
import { PlacementOverlay } from './placement-overlay.tsx';
import { labelInk } from '../editor/region-colour.ts';
import { openContextMenu } from '../ui/context-menu.tsx';
import { BoxHandles } from './box-handles.tsx';
import { LayerBoxesOverlay } from './layer-boxes-overlay.tsx';
import { BrushCursor, PaintStrokePreview, SelectionAnts, SelectShapePreview } from './pixel-tool-overlay.tsx';

function checkerPattern(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = c.height = 16;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#cfcfcf';
  ctx.fillRect(0, 0, 16, 16);
  ctx.fillStyle = '#9e9e9e';
  ctx.fillRect(0, 0, 8, 8);
  ctx.fillRect(8, 8, 8, 8);
  return c;
}

interface Placed {
  layer: Layer;
  rect: R;
}

/** Visible leaves with their absolute boxes, front first (groups' offsets applied). */
function placedLeaves(doc: LaminaDocument): Placed[] {
  const out: Placed[] = [];
  const visit = (ls: readonly Layer[], ox: number, oy: number) => {
    for (const l of ls) {
      if (!l.visible) continue;
      const util = layerUtil(l);
      const children = util.children(l);
      if (children.length) visit(children, ox + l.x, oy + l.y);
      else {
        const r = util.rect(l);
        if (r) out.push({ layer: l, rect: { ...r, x: r.x + ox, y: r.y + oy } });
      }
    }
  };
  visit(doc.layers, 0, 0);
  return out;
}

/** Boxes overridden by the gesture in progress (move or transform), by leaf id. */
function overridesFor(doc: LaminaDocument, preview: CanvasPreview | null, abs: (id: string) => R | null): Map<string, R & { angle?: number }> {
  const m = new Map<string, R & { angle?: number }>();
  if (!preview) return m;
  if (preview.kind === 'move') {
    for (const id of preview.ids) {
      const loc = findLayer(doc.layers, id);
      if (!loc) continue;
      for (const { layer } of walkLayers([loc.layer])) {
        if (layer.kind === 'group' || layer.locked) continue;
        const r = abs(layer.id);
        if (r) m.set(layer.id, { ...r, x: r.x + preview.dx, y: r.y + preview.dy });
      }
    }
  } else if (preview.kind === 'transform') m.set(preview.id, preview.rect);
  else if (preview.kind === 'free-transform') m.set(preview.id, { ...preview.transform.box, angle: preview.transform.angle });
  return m;
}

function useMaskTint(cache: ImageCache, region: RegionLayer, version: number): HTMLCanvasElement | null {
  return useMemo(() => {
    if (region.shape.type !== 'mask') return null;
    const img = cache.get(region.shape.maskImageId);
    if (!img) return null;
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    ctx.globalCompositeOperation = 'source-in';
    ctx.fillStyle = region.color;
    ctx.fillRect(0, 0, c.width, c.height);
    return c;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cache, region.shape, region.color, version]);
}

function RegionOverlay({ region, rect, zoom, selected, cache, version }: { region: RegionLayer; rect: R; zoom: number; selected: boolean; cache: ImageCache; version: number }) {
  const tint = useMaskTint(cache, region, version);
  const sw = (selected ? 2 : 1.25) / zoom;
  const label = `${region.name}${region.prompt ? `: ${region.prompt}` : ''}`;
  return (
    <Group x={rect.x} y={rect.y} listening={false}>
      {tint ? (
        <KImage image={tint} width={rect.width} height={rect.height} opacity={0.38} />
      ) : (
        <Rect width={rect.width} height={rect.height} fill={region.color} opacity={0.16} />
      )}
      <Rect width={rect.width} height={rect.height} stroke={region.color} strokeWidth={sw} dash={selected ? undefined : [6 / zoom, 4 / zoom]} />
      <Rect y={-18 / zoom} width={Math.min(rect.width, (label.length * 7 + 10) / zoom)} height={18 / zoom} fill={region.color} opacity={0.9} />
      <Text y={-15 / zoom} x={4 / zoom} text={label} fontSize={12 / zoom} fill={labelInk(region.color)} width={Math.max(10, rect.width - 6 / zoom)} height={16 / zoom} ellipsis wrap="none" />
    </Group>
  );
}

/** The eight scale handles of a box (canvas px), drawn at a constant screen size. */
/** Free transform: the box turned about its centre, its handles, and a dot marking the centre. */
function FreeTransformBox({ t, zoom }: { t: BoxTransform; zoom: number }) {
  const c = { x: t.box.x + t.box.width / 2, y: t.box.y + t.box.height / 2 };
  return (
    <Group x={c.x} y={c.y} rotation={(t.angle * 180) / Math.PI} name="free-transform">
      <BoxHandles rect={{ ...t.box, x: -t.box.width / 2, y: -t.box.height / 2 }} zoom={zoom} prefix="ft-handle" />
      <Circle radius={3 / zoom} stroke="#4dabf7" strokeWidth={1 / zoom} />
    </Group>
  );
}

/** The crop tool's box: what falls outside it is dimmed. */
function CropBox({ rect, doc, zoom }: { rect: R; doc: LaminaDocument; zoom: number }) {
  const shade = 'rgba(0,0,0,0.55)';
  const x0 = Math.min(0, rect.x), y0 = Math.min(0, rect.y);
  const x1 = Math.max(doc.width, rect.x + rect.width), y1 = Math.max(doc.height, rect.y + rect.height);
  return (
    <Group name="crop-box">
      <Rect x={x0} y={y0} width={x1 - x0} height={rect.y - y0} fill={shade} />
      <Rect x={x0} y={rect.y + rect.height} width={x1 - x0} height={y1 - rect.y - rect.height} fill={shade} />
      <Rect x={x0} y={rect.y} width={rect.x - x0} height={rect.height} fill={shade} />
      <Rect x={rect.x + rect.width} y={rect.y} width={x1 - rect.x - rect.width} height={rect.height} fill={shade} />
      <BoxHandles rect={rect} zoom={zoom} prefix="crop-handle" />
      <Text x={rect.x} y={rect.y + rect.height + 4 / zoom} text={`${rect.width} × ${rect.height}`} fontSize={12 / zoom} fill="#fff" />
    </Group>
  );
}

/** The Edit Text panel's box around the word: only the pixels inside it change. */
function WordBox({ rect, zoom }: { rect: R; zoom: number }) {
  return (
    <Group name="word-box">
      <Rect x={rect.x} y={rect.y} width={rect.width} height={rect.height} stroke="#ffd43b" strokeWidth={1.5 / zoom} dash={[5 / zoom, 3 / zoom]} fill="rgba(255,212,59,0.10)" />
      <Text x={rect.x} y={rect.y + rect.height + 3 / zoom} text="Edit Text" fontSize={11 / zoom} fill="#ffd43b" />
    </Group>
  );
}

export function CanvasView() {
  const { editor, cache } = useServices();
  const snapshot = useEditorState((s) => s.snapshot);
  const viewport = useEditorState((s) => s.viewport);
  const screen = useEditorState((s) => s.screen);
  const preview = useEditorState((s) => s.preview);
  const selection = useEditorState((s) => s.selection);
  const regionsVisible = useEditorState((s) => s.regionsVisible);
  const tool = useEditorState((s) => s.tool);
  const brushSize = useEditorState((s) => s.brushSize);
  const paintSize = useEditorState((s) => s.brush.size);
  const pixelSelection = useEditorState((s) => s.pixelSelection);
  const layerBoxes = useEditorState((s) => s.layerBoxes);
  const wordBox = useEditorState((s) => s.wordBox);
  const jobPreview = useEditorState((s) => s.job?.preview ?? null);
  const placement = useStoreState(editor.placement.store, (s) => s);
  const version = useCacheVersion();
  const doc = snapshot?.document ?? null;
  const containerRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<Konva.Layer>(null);
  const toolPath = useEditorState((s) => s.toolPath);
  const spaceDown = useEditorState((s) => s.spacePan);
  const panning = toolPath.endsWith('panning');
  const [hover, setHover] = useState<{ x: number; y: number } | null>(null);
  const checker = useMemo(checkerPattern, []);

  useEffect(() => cache.setDocument(snapshot?.docId ?? null), [cache, snapshot?.docId]);

  // stage size follows the container
  useEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => editor.setScreen(Math.max(1, el.clientWidth), Math.max(1, el.clientHeight)));
    ro.observe(el);
    editor.setScreen(Math.max(1, el.clientWidth), Math.max(1, el.clientHeight));
    return () => ro.disconnect();
  }, [editor]);

  // space = temporary hand tool (the tool tree pans while it is held)
  useEffect(() => {
    const setSpaceDown = (held: boolean) => editor.setSpacePan(held);
    const inText = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    const down = (e: KeyboardEvent) => {
      if (e.code === 'Space' && !inText(e.target)) {
        e.preventDefault();
        setSpaceDown(true);
      }
    };
    const up = (e: KeyboardEvent) => {
      if (e.code === 'Space') setSpaceDown(false);
    };
    const blur = () => setSpaceDown(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, [editor]);

  const abs = useCallback((id: string) => editor.absoluteBounds(id), [editor, doc]); // eslint-disable-line react-hooks/exhaustive-deps
  const overrides = useMemo(() => (doc ? overridesFor(doc, preview, abs) : new Map<string, R & { angle?: number }>()), [doc, preview, abs]);

  // --- compositing: one bitmap, repainted only where the document or a gesture changed ---
  const compositorRef = useRef<StackCompositor | null>(null);
  if (!compositorRef.current) compositorRef.current = new StackCompositor();
  const composite = useMemo(() => {
    if (!doc) return null;
    const canvas = compositorRef.current!.render(doc, cache, version, overrides);
    return { canvas, stamp: compositorRef.current!.stats.frames };
  }, [doc, cache, version, overrides]);
  useEffect(() => {
    (window as unknown as { __laminaCompositor?: StackCompositor }).__laminaCompositor = compositorRef.current ?? undefined;
  }, []);
  useEffect(() => {
    contentRef.current?.batchDraw();
  });

  // --- generation preview image ---
  const [previewImg, setPreviewImg] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    if (!jobPreview) {
      setPreviewImg(null);
      return;
    }
    const img = new Image();
    img.onload = () => setPreviewImg(img);
    img.src = jobPreview;
  }, [jobPreview]);

  // --- transform handles of the single selected, scalable layer (the move tool's resizing state drags them) ---
  const target = useMemo(() => editor.transformTarget(), [editor, doc, tool, selection, regionsVisible]); // eslint-disable-line react-hooks/exhaustive-deps
  const transformId = target?.id ?? null;
  const transformRect = !target ? null : preview?.kind === 'transform' && preview.id === target.id ? preview.rect
    : preview?.kind === 'move' && preview.ids.includes(target.id) ? { ...target.rect, x: target.rect.x + preview.dx, y: target.rect.y + preview.dy } : target.rect;

  // --- pointer routing ---
  const stagePoint = (e: { clientX: number; clientY: number }) => {
    const r = containerRef.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const toolPointer = (e: PointerEvent) => {
    const screenP = stagePoint(e);
    return {
      canvas: screenToCanvas(editor.state.viewport, screenP), screen: screenP, button: e.button,
      shiftKey: e.shiftKey, altKey: e.altKey, modKey: e.ctrlKey || e.metaKey,
      ...(e.pointerType === 'pen' ? { pressure: e.pressure } : {}),
    };
  };

  const onPointerDown = (ke: Konva.KonvaEventObject<PointerEvent>) => {
    const e = ke.evt;
    (document.activeElement as HTMLElement | null)?.blur?.();
    containerRef.current?.focus({ preventScroll: true });
    if (e.button !== 0 && e.button !== 1) return;
    if (e.button === 1) e.preventDefault(); // the middle button pans (the tool tree's hand tool)
    editor.pointer('onPointerDown', toolPointer(e));
    const move = (m: PointerEvent) => editor.pointer('onPointerMove', toolPointer(m));
    const up = (u: PointerEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      editor.pointer('onPointerUp', toolPointer(u));
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  const onWheel = (ke: Konva.KonvaEventObject<WheelEvent>) => {
    const e = ke.evt;
    e.preventDefault();
    if (e.shiftKey && !e.ctrlKey) editor.panBy(-e.deltaY, 0);
    else if (e.altKey) editor.panBy(-e.deltaX, -e.deltaY);
    else editor.wheel(e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY, stagePoint(e));
  };

  const zoom = viewport.zoom;
  const placed = useMemo(() => (doc ? placedLeaves(doc) : []), [doc]);
  const regions = placed.filter((p): p is Placed & { layer: RegionLayer } => p.layer.kind === 'region');
  const cursor = panning ? 'grabbing' : spaceDown || tool === 'hand' ? 'grab' : tool === 'region' || tool === 'layers' || tool === 'marquee' || tool === 'lasso' || tool === 'eyedropper' || tool === 'crop' || tool === 'word-box' ? 'crosshair' : tool === 'transform' ? 'move' : tool === 'mask' || tool === 'brush' || tool === 'eraser' ? 'none' : 'default';

  return (
    <div
      ref={containerRef}
      className="canvas-host"
      data-testid="canvas"
      tabIndex={-1}
      style={{ cursor }}
      onPointerMove={(e) => setHover(stagePoint(e))}
      onPointerLeave={() => setHover(null)}
      onContextMenu={(e) => {
        e.preventDefault();
        openContextMenu(e.clientX, e.clientY, 'canvas');
      }}
      data-zoom={zoom.toFixed(4)}
      data-layer-boxes={layerBoxes.boxes.length}
      data-word-box={wordBox ? `${wordBox.x},${wordBox.y},${wordBox.width},${wordBox.height}` : ''}
      data-pixel-selection={pixelSelection ? 'on' : 'off'}
      data-tool-path={toolPath}
      data-view-x={viewport.x}
      data-view-y={viewport.y}
      data-placement-heatmap={placement.showHeatmap && placement.heatmap ? 'shown' : 'hidden'}
      data-placement-ghosts={placement.ghosts?.rects.length ?? 0}
      data-placement-snap={placement.lastSnap ? `${placement.lastSnap.dx},${placement.lastSnap.dy}` : ''}
    >
      {doc && (
        <Stage
          width={screen.width}
          height={screen.height}
          onPointerDown={onPointerDown}
          onWheel={onWheel}
          onDblClick={(ke) => {
            // double-click a region to type its prompt in place
            const p = stagePoint(ke.evt);
            const hit = editor.hitTest(screenToCanvas(editor.state.viewport, p));
            if (hit && hit.kind === 'region' && !hit.locked) editor.store.set({ selection: [hit.id], editingRegionId: hit.id });
            if (hit && hit.kind === 'text') editor.text.beginEdit(hit.id); // and a text layer to edit its words
          }}
        >
          <KLayer listening={false}>
            <Group x={viewport.x} y={viewport.y} scaleX={zoom} scaleY={zoom}>
              <Rect x={-1 / zoom} y={-1 / zoom} width={doc.width + 2 / zoom} height={doc.height + 2 / zoom} fill="#000" opacity={0.6} shadowColor="#000" shadowBlur={18} shadowOpacity={0.5} />
              <Rect width={doc.width} height={doc.height} fillPatternImage={checker as unknown as HTMLImageElement} fillPatternScaleX={1 / zoom} fillPatternScaleY={1 / zoom} fillPatternRepeat="repeat" />
            </Group>
          </KLayer>
          <KLayer ref={contentRef} listening={false}>
            <Group x={viewport.x} y={viewport.y} scaleX={zoom} scaleY={zoom} clipX={0} clipY={0} clipWidth={doc.width} clipHeight={doc.height}>
              {composite && <KImage image={composite.canvas} width={doc.width} height={doc.height} imageSmoothingEnabled={zoom < 2} />}
              {previewImg && <KImage image={previewImg} width={doc.width} height={doc.height} opacity={0.92} />}
              <PaintStrokePreview preview={preview} />
            </Group>
          </KLayer>
          <KLayer>
            <Group x={viewport.x} y={viewport.y} scaleX={zoom} scaleY={zoom} listening={false}>
              <PlacementOverlay state={placement} docWidth={doc.width} docHeight={doc.height} zoom={zoom} />
              {regionsVisible &&
                [...regions].reverse().map((p) => (
                  <RegionOverlay key={p.layer.id} region={p.layer} rect={overrides.get(p.layer.id) ?? p.rect} zoom={zoom} selected={selection.includes(p.layer.id)} cache={cache} version={version} />
                ))}
              {selection.map((id) => {
                if (id === transformId || (preview?.kind === 'free-transform' && preview.id === id)) return null;
                const r = abs(id);
                if (!r) return null;
                const o = preview?.kind === 'move' && preview.ids.includes(id) ? { ...r, x: r.x + preview.dx, y: r.y + preview.dy } : r;
                return <Rect key={id} x={o.x} y={o.y} width={o.width} height={o.height} stroke="#4dabf7" strokeWidth={1.5 / zoom} dash={[4 / zoom, 3 / zoom]} />;
              })}
              {tool === 'layers' && <LayerBoxesOverlay boxes={layerBoxes.boxes} selected={layerBoxes.selected} preview={preview} zoom={zoom} />}
              <SelectionAnts selection={pixelSelection} zoom={zoom} />
              <SelectShapePreview preview={preview} zoom={zoom} />
              {(tool === 'brush' || tool === 'eraser') && !panning && <BrushCursor at={hover && { x: (hover.x - viewport.x) / zoom, y: (hover.y - viewport.y) / zoom }} size={paintSize} />}
              {preview?.kind === 'box' && (
                <Rect x={preview.rect.x} y={preview.rect.y} width={preview.rect.width} height={preview.rect.height} stroke="#ffd43b" strokeWidth={1.5 / zoom} dash={[6 / zoom, 4 / zoom]} fill="rgba(255,212,59,0.12)" />
              )}
              {preview?.kind === 'stroke' && (
                <Line
                  points={preview.stroke.points.flatMap((p) => [p.x, p.y])}
                  stroke={preview.stroke.erase ? 'rgba(255,80,80,0.6)' : 'rgba(79,140,255,0.55)'}
                  strokeWidth={preview.stroke.radius * 2}
                  lineCap="round"
                  lineJoin="round"
                />
              )}
              {(preview?.kind === 'move' || preview?.kind === 'transform') && (
                <>
                  {preview.guidesX.map((x) => <Line key={`gx${x}`} points={[x, -10000, x, 10000]} stroke="#ff3ea5" strokeWidth={1 / zoom} />)}
                  {preview.guidesY.map((y) => <Line key={`gy${y}`} points={[-10000, y, 10000, y]} stroke="#ff3ea5" strokeWidth={1 / zoom} />)}
                </>
              )}
              {transformRect && <BoxHandles rect={transformRect} zoom={zoom} prefix="handle" />}
              {preview?.kind === 'free-transform' && <FreeTransformBox t={preview.transform} zoom={zoom} />}
              {preview?.kind === 'crop' && <CropBox rect={preview.rect} doc={doc} zoom={zoom} />}
              {wordBox && <WordBox rect={wordBox} zoom={zoom} />}
              {tool === 'mask' && hover && !panning && (
                <Circle x={(hover.x - viewport.x) / zoom} y={(hover.y - viewport.y) / zoom} radius={brushSize / 2} stroke="#fff" strokeWidth={1 / zoom} shadowColor="#000" shadowBlur={2} />
              )}
            </Group>
          </KLayer>
        </Stage>
      )}
      {doc && <RegionPromptEditor />}
      {doc && <TextEditorOverlay />}
    </div>
  );
}
