// A small picture of one document image (a generation's thumbnail), drawn from the image cache.
import { useEffect, useRef } from 'react';
import { useServices } from './editor-context.ts';

export function Thumbnail({ imageId, size = 48, testId }: { imageId: string | undefined; size?: number; testId?: string }) {
  const { cache } = useServices();
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let live = true;
    if (imageId) void cache.load(imageId).then((img) => {
      const c = ref.current;
      if (!live || !img || !c) return;
      const w = 'naturalWidth' in img ? img.naturalWidth : img.width, h = 'naturalHeight' in img ? img.naturalHeight : img.height;
      const s = Math.min(size / w, size / h);
      const ctx = c.getContext('2d')!;
      ctx.clearRect(0, 0, size, size);
      ctx.drawImage(img, (size - w * s) / 2, (size - h * s) / 2, w * s, h * s);
    });
    return () => { live = false; };
  }, [cache, imageId, size]);
  return <canvas ref={ref} className="thumb" width={size} height={size} data-testid={testId} aria-hidden="true" />;
}
