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
};

export function Icon({ name, size = 16 }: { name: string; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.4} strokeLinecap="round" strokeLinejoin="round" aria-hidden focusable="false">
      <path d={PATHS[name] ?? ''} />
    </svg>
  );
}
