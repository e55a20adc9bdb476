// What the pixel tools draw over the canvas: the stroke in progress (in the content layer,
// so the eraser's preview really takes pixels away), the selection's marching ants, the
// marquee / lasso shape being drawn and the brush cursor.
import { useEffect, useMemo, useState } from 'react';
import { Circle, Ellipse, Line, Rect, Shape } from 'react-konva';
import type { CanvasPreview } from '../editor/editor-state.ts';
import { selectionOutline } from '../editor/pixels/selection-outline.ts';
import type { SelectionMask } from '../editor/pixels/selection-mask.ts';
import { toHex } from '../editor/pixels/eyedropper.ts';

/** The brush or eraser stroke in progress, drawn into the content layer. */
export function PaintStrokePreview({ preview }: { preview: CanvasPreview | null }) {
  if (preview?.kind !== 'paint') return null;
  const { stroke } = preview;
  const pts = stroke.points.length === 1 ? [stroke.points[0].x, stroke.points[0].y, stroke.points[0].x + 0.01, stroke.points[0].y] : stroke.points.flatMap((p) => [p.x, p.y]);
  return (
    <Line
      points={pts}
      stroke={stroke.erase ? '#000' : toHex(stroke.brush.color)}
      strokeWidth={stroke.brush.size}
      opacity={stroke.brush.opacity}
      lineCap="round"
      lineJoin="round"
      globalCompositeOperation={stroke.erase ? 'destination-out' : 'source-over'}
      shadowColor={stroke.erase ? undefined : toHex(stroke.brush.color)}
      shadowBlur={stroke.brush.hardness < 1 ? (1 - stroke.brush.hardness) * stroke.brush.size * 0.5 : 0}
      listening={false}
    />
  );
}

/** Marching ants around the selected pixels (the dash offset moves a few times a second). */
export function SelectionAnts({ selection, zoom }: { selection: SelectionMask | null; zoom: number }) {
  const segs = useMemo(() => (selection ? selectionOutline(selection) : []), [selection]);
  const [phase, setPhase] = useState(0);
  useEffect(() => {
    if (!segs.length) return;
    const t = setInterval(() => setPhase((p) => (p + 1) % 8), 150);
    return () => clearInterval(t);
  }, [segs.length]);
  if (!segs.length) return null;
  const draw = (dashed: boolean) => (
    <Shape
      listening={false}
      data-testid="selection-ants"
      sceneFunc={(ctx, shape) => {
        ctx.beginPath();
        for (let i = 0; i < segs.length; i += 4) {
          ctx.moveTo(segs[i], segs[i + 1]);
          ctx.lineTo(segs[i + 2], segs[i + 3]);
        }
        ctx.strokeShape(shape);
      }}
      stroke={dashed ? '#000' : '#fff'}
      strokeWidth={1 / zoom}
      dash={dashed ? [4 / zoom, 4 / zoom] : undefined}
      dashOffset={dashed ? -phase / zoom : 0}
    />
  );
  return (
    <>
      {draw(false)}
      {draw(true)}
    </>
  );
}

/** The marquee or lasso shape while it is drawn. */
export function SelectShapePreview({ preview, zoom }: { preview: CanvasPreview | null; zoom: number }) {
  if (preview?.kind !== 'select') return null;
  const s = preview.shape;
  const common = { stroke: '#fff', strokeWidth: 1 / zoom, dash: [4 / zoom, 4 / zoom], shadowColor: '#000', shadowBlur: 1.5, listening: false };
  if (s.type === 'rect') return <Rect x={s.rect.x} y={s.rect.y} width={s.rect.width} height={s.rect.height} {...common} />;
  if (s.type === 'ellipse') return <Ellipse x={s.rect.x + s.rect.width / 2} y={s.rect.y + s.rect.height / 2} radiusX={s.rect.width / 2} radiusY={s.rect.height / 2} {...common} />;
  return <Line points={s.points.flatMap((p) => [p.x, p.y])} closed {...common} />;
}

/** The brush's outline under the pointer (brush and eraser). */
export function BrushCursor({ at, size }: { at: { x: number; y: number } | null; size: number }) {
  if (!at) return null;
  return <Circle x={at.x} y={at.y} radius={size / 2} stroke="#fff" strokeWidth={1} strokeScaleEnabled={false} shadowColor="#000" shadowBlur={2} listening={false} />;
}
