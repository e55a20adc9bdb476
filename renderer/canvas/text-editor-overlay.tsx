// Type a text layer in place: a text area over the canvas, in the layer's font, size,
// colour and alignment at the current zoom. Ctrl+Enter or a click elsewhere applies,
// Esc drops what was typed; Enter starts a new line.
import { useEffect, useRef, useState } from 'react';
import { findLayer } from '../../common/document/layer-tree.ts';
import { canvasToScreen } from '../editor/viewport.ts';
import type { TextEditing } from '../editor/text-commands.ts';
import { useEditorState, useServices } from '../ui/editor-context.ts';
import { cssFont, loadBundledFonts, TEXT_LINE_HEIGHT, textPadding } from './text-raster.ts';

export function TextEditorOverlay() {
  const editing = useEditorState((s) => s.editingText);
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  if (!editing || !doc) return null;
  const layer = editing.id ? findLayer(doc.layers, editing.id)?.layer : null;
  if (editing.id && (!layer || layer.kind !== 'text')) return null;
  const key = editing.id ?? `new:${editing.at!.x},${editing.at!.y}`;
  return <TextBox key={key} editing={editing} initial={layer && layer.kind === 'text' ? layer.text : ''} />;
}

function TextBox({ editing, initial }: { editing: TextEditing; initial: string }) {
  const id = editing.id;
  const { editor } = useServices();
  const viewport = useEditorState((s) => s.viewport);
  const style = useEditorState((s) => s.textStyle);
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  const done = useRef(false);

  useEffect(() => {
    void loadBundledFonts().catch(() => undefined);
    const timer = setTimeout(() => ref.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, []);

  const at = id ? editor.absoluteBounds(id) : editing.at;
  if (!at) return null;
  const p = canvasToScreen(viewport, { x: at.x, y: at.y });
  const size = style.fontSize * viewport.zoom;
  const pad = textPadding(style.fontSize) * viewport.zoom;
  const lines = Math.max(1, text.split('\n').length);
  const longest = Math.max(1, ...text.split('\n').map((l) => l.length));
  const [r, g, b, a] = style.color;
  const finish = () => {
    if (done.current) return;
    done.current = true;
    void editor.text.finish(text, editing);
  };
  return (
    <textarea
      ref={ref}
      className="text-edit"
      data-testid="text-edit-input"
      aria-label={id ? 'Edit text' : 'New text'}
      spellCheck={false}
      value={text}
      style={{
        left: p.x,
        top: p.y,
        font: cssFont(style.fontFamily, size),
        lineHeight: `${Math.round(style.fontSize * TEXT_LINE_HEIGHT) * viewport.zoom}px`,
        color: `rgba(${r}, ${g}, ${b}, ${a / 255})`,
        textAlign: style.align,
        padding: pad,
        width: `calc(${longest * 0.75 + 1}em + ${2 * pad}px)`,
        height: Math.round(style.fontSize * TEXT_LINE_HEIGHT) * viewport.zoom * lines + 2 * pad + 2,
      }}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          finish();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          done.current = true;
          if (editor.state.editingText === editing) editor.text.cancel();
        }
      }}
      onBlur={finish}
    />
  );
}
