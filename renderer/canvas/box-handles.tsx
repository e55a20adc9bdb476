// The eight resize handles of a box (screen-sized at any zoom), optionally with the box's
// outline: the move tool's selection, free transform, the crop box and the Layers tool.
import { Rect } from 'react-konva';
import type { Rect as R } from '../editor/geometry.ts';
import { HANDLES, HANDLE_RADIUS_PX, handlePoint } from '../editor/tools/move-tool/resize-handles.ts';

export function BoxHandles({ rect, zoom, stroke = '#4dabf7', prefix = 'handle', outline = true }: { rect: R; zoom: number; stroke?: string; prefix?: string; outline?: boolean }) {
  const r = (HANDLE_RADIUS_PX - 1.5) / zoom;
  return (
    <>
      {outline && <Rect x={rect.x} y={rect.y} width={rect.width} height={rect.height} stroke={stroke} strokeWidth={1 / zoom} />}
      {HANDLES.map((h) => {
        const c = handlePoint(rect, h);
        return <Rect key={h} name={`${prefix}-${h}`} x={c.x - r} y={c.y - r} width={2 * r} height={2 * r} fill="#0b0d12" stroke={stroke} strokeWidth={1 / zoom} />;
      })}
    </>
  );
}
