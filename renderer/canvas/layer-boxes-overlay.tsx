// The Layers tool's boxes on the canvas: numbered dashed outlines (box k lands as "Box k"),
// the selected one solid with its handles; the box being moved or resized follows the
// gesture's 'layer-box' preview.
import { Group, Rect, Text } from 'react-konva';
import type { CanvasPreview } from '../editor/editor-state.ts';
import type { Rect as R } from '../editor/geometry.ts';
import { BoxHandles } from './box-handles.tsx';

const INK = '#ffa94d';

export function LayerBoxesOverlay({ boxes, selected, preview, zoom }: { boxes: readonly R[]; selected: number | null; preview: CanvasPreview | null; zoom: number }) {
  const rectOf = (i: number) => (preview?.kind === 'layer-box' && preview.index === i ? preview.rect : boxes[i]);
  const sel = selected !== null && boxes[selected] ? rectOf(selected) : null;
  return (
    <>
      {boxes.map((_, i) => {
        const r = rectOf(i);
        const on = i === selected;
        const label = String(i + 1);
        return (
          <Group key={i} x={r.x} y={r.y} listening={false} name={`layer-box-${i + 1}`}>
            <Rect width={r.width} height={r.height} stroke={INK} strokeWidth={(on ? 2 : 1.5) / zoom} dash={on ? undefined : [6 / zoom, 4 / zoom]} fill="rgba(255,169,77,0.08)" />
            <Rect width={(label.length * 8 + 8) / zoom} height={16 / zoom} fill={INK} opacity={0.92} />
            <Text x={4 / zoom} y={2 / zoom} text={label} fontSize={12 / zoom} fontStyle="bold" fill="#1a1a1a" />
          </Group>
        );
      })}
      {sel && <BoxHandles rect={sel} zoom={zoom} stroke={INK} outline={false} />}
    </>
  );
}
