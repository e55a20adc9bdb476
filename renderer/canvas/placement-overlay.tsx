// The placement overlay (issue 14): the heatmap of the dragged object layer's current
// scale over the document (cell = where the bottom-centre of its box would go), and the
// suggested placements as ghost outlines with their scale. Konva nodes only; the state
// is the editor's PlacementController store.
import { useMemo } from 'react';
import { Group, Image as KImage, Rect, Text } from 'react-konva';
import { heatmapRgba } from '../../common/placement/placement-kernels.ts';
import type { PlacementState } from '../editor/placement/placement-controller.ts';

function heatmapCanvas(h: NonNullable<PlacementState['heatmap']>): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = h.width;
  c.height = h.height;
  const img = new ImageData(heatmapRgba(h.values, h.width, h.height, h.max), h.width, h.height);
  c.getContext('2d')!.putImageData(img, 0, 0);
  return c;
}

export function PlacementOverlay({ state, docWidth, docHeight, zoom }: { state: PlacementState; docWidth: number; docHeight: number; zoom: number }) {
  const h = state.heatmap;
  const image = useMemo(() => (h ? heatmapCanvas(h) : null), [h]);
  const ghosts = state.ghosts?.rects ?? [];
  return (
    <Group listening={false}>
      {state.showHeatmap && image && <KImage image={image} width={docWidth} height={docHeight} opacity={0.85} imageSmoothingEnabled />}
      {ghosts.map((g, k) => (
        <Group key={k} x={g.x} y={g.y}>
          <Rect width={g.width} height={g.height} stroke={k === 0 ? '#ff922b' : '#ffd43b'} strokeWidth={(k === 0 ? 2 : 1.25) / zoom} dash={[5 / zoom, 3 / zoom]} fill="rgba(255,146,43,0.08)" />
          <Text y={-14 / zoom} text={`${k + 1} · ${g.scale.toFixed(2)}x`} fontSize={11 / zoom} fill="#ffd43b" shadowColor="#000" shadowBlur={2} />
        </Group>
      ))}
    </Group>
  );
}
