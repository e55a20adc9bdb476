// A handful of inline SVG icons (no icon font, no network).
const PATHS: Record<string, string> = {
  eye: 'M1 8s2.5-5 7-5 7 5 7 5-2.5 5-7 5-7-5-7-5zm7 3a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
  'eye-off': 'M2 2l12 12M6.3 4.2A7 7 0 0 1 8 4c4.5 0 7 4 7 4a12 12 0 0 1-2 2.4M4.2 5.6A12 12 0 0 0 1 8s2.5 5 7 5a7 7 0 0 0 2.5-.5',
  lock: 'M4 7V5a4 4 0 0 1 8 0v2M3 7h10v7H3z',
  unlock: 'M4 7V5a4 4 0 0 1 7.5-2M3 7h10v7H3z',
  'chevron-down': 'M4 6l4 4 4-4',
  'chevron-right': 'M6 4l4 4-4 4',
  folder: 'M1.5 4h5l1.5 1.5h6.5v8h-13z',
  'folder-open': 'M1.5 4h5l1.5 1.5h6.5v2M1.5 13.5l2-6h12l-2 6z',
  up: 'M8 13V3M4 7l4-4 4 4',
  down: 'M8 3v10M4 9l4 4 4-4',
  merge: 'M4 2v4l4 4 4-4V2M8 10v4',
  trash: 'M2.5 4h11M6 4V2.5h4V4M4 4l.8 10h6.4L12 4',
  move: 'M8 1v14M1 8h14M8 1l-2 2M8 1l2 2M8 15l-2-2M8 15l2-2M1 8l2-2M1 8l2 2M15 8l-2-2M15 8l-2 2',
  box: 'M2.5 2.5h11v11h-11z',
  text: 'M3 3h10M8 3v10M6 13h4',
  brush: 'M10 2l4 4-6 6-4-4zM4 8l-2.5 5.5L7 11',
  undo: 'M5 3L2 6l3 3M2 6h7a4 4 0 0 1 0 8H6',
  redo: 'M11 3l3 3-3 3M14 6H7a4 4 0 0 0 0 8h3',
  fit: 'M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4',
  regions: 'M2 2h7v7H2zM7 7h7v7H7z',
  dice: 'M2.5 2.5h11v11h-11zM5.5 5.5h.01M10.5 10.5h.01M8 8h.01',
  'lock-seed': 'M4 7V5a4 4 0 0 1 8 0v2M3 7h10v7H3z',
  close: 'M3 3l10 10M13 3L3 13',
  paintbrush: 'M14 2c-2 1-6 5-7.5 7l1.5 1.5C10 9 13 5 14 2zM6 10c-2 0-3 1.5-3 3-.5.7-1.2 1-2 1 2 1 5 .5 5.8-2.5z',
  eraser: 'M6 14h8M2.5 10.5l6-6 4 4-4.5 4.5h-3zM5.5 7.5l4 4',
  eyedropper: 'M10 2.5l3.5 3.5M12 2l2 2-2.5 2.5-2-2zM9.5 4.5l-7 7V14h2.5l7-7',
  marquee: 'M2.5 2.5h2M7 2.5h2M11.5 2.5h2v2M13.5 7v2M13.5 11.5v2h-2M9 13.5H7M4.5 13.5h-2v-2M2.5 9V7M2.5 4.5v-2',
  'marquee-ellipse': 'M8 2.5c3 0 5.5 2.5 5.5 5.5S11 13.5 8 13.5 2.5 11 2.5 8 5 2.5 8 2.5z',
  lasso: 'M8 3c3.6 0 6 1.6 6 3.6S11.6 10 8 10 2 8.6 2 6.6 4.4 3 8 3zM4 9.5c-.8 1-1 2.2 0 3s2.5.5 2.5-.8',
  mask: 'M2.5 2.5h11v11h-11zM8 5a3 3 0 1 0 0 6 3 3 0 0 0 0-6z',
  clip: 'M4 3v5l3 3M4 8h7',
  crop: 'M4 1v11h11M1 4h11v11',
  transform: 'M2.5 2.5h11v11h-11zM1.5 1.5h2v2h-2zM12.5 1.5h2v2h-2zM12.5 12.5h2v2h-2zM1.5 12.5h2v2h-2z',
  'lock-alpha': 'M4 7V5a4 4 0 0 1 8 0v2M3 7h10v7H3zM3 7l10 7M8 7l5 3.5M3 10.5L8 14',
  /** the Layers tool: stacked boxes */
  layers: 'M2.5 6h8v7.5h-8zM5.5 3.5h8V11',
  keyboard: 'M1.5 4.5h13v7h-13zM4 7h.01M6.5 7h.01M9 7h.01M11.5 7h.01M5 9.5h6',
};

export function Icon({ name, size = 16 }: { name: string; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.4} strokeLinecap="round" strokeLinejoin="round" aria-hidden focusable="false">
      <path d={PATHS[name] ?? ''} />
    </svg>
  );
}
