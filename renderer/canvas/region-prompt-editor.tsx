// Type a region's prompt in place, just under its box on the canvas.
import { useEffect, useRef, useState } from 'react';
import type { RegionLayer } from '../../common/document/document-schema.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import { canvasToScreen } from '../editor/viewport.ts';
import { useEditorState, useServices } from '../ui/editor-context.ts';
import { PromptField } from '../ui/prompt-field.tsx';
import { usePromptVocabulary } from '../tasks/generate/use-prompt-vocabulary.ts';

export function RegionPromptEditor() {
  const id = useEditorState((s) => s.editingRegionId);
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  const layer = id && doc ? findLayer(doc.layers, id)?.layer : null;
  if (!layer || layer.kind !== 'region') return null;
  // keyed by layer: a new region's box starts from its own prompt, never the previous one's text
  return <RegionPromptBox key={layer.id} layer={layer} />;
}

function RegionPromptBox({ layer }: { layer: RegionLayer }) {
  const { editor } = useServices();
  const viewport = useEditorState((s) => s.viewport);
  const vocabulary = usePromptVocabulary();
  const [text, setText] = useState(layer.prompt);
  const ref = useRef<HTMLTextAreaElement>(null);
  const committed = useRef(layer.prompt);

  useEffect(() => {
    const timer = setTimeout(() => ref.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, []);

  const r = editor.absoluteBounds(layer.id);
  if (!r) return null;
  const p = canvasToScreen(viewport, { x: r.x, y: r.y + r.height });
  const commit = () => {
    if (text === committed.current) return;
    committed.current = text;
    void editor.setRegionPrompt(layer.id, text);
  };
  return (
    <div className="region-prompt" style={{ left: Math.max(4, p.x), top: p.y + 6, borderColor: layer.color }}>
      <PromptField
        inputRef={ref}
        testId="region-prompt-input"
        ariaLabel={`Prompt for ${layer.name}`}
        placeholder="Describe what goes in this region…"
        vocabulary={vocabulary}
        value={text}
        onChange={setText}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey) {
            e.preventDefault();
            commit();
            editor.store.set({ editingRegionId: null });
          } else if (e.key === 'Escape') {
            e.preventDefault();
            editor.store.set({ editingRegionId: null });
          }
        }}
        onBlur={() => {
          commit();
          if (editor.state.editingRegionId === layer.id) editor.store.set({ editingRegionId: null });
        }}
      />
      <div className="hint">Enter to apply · Shift+Enter new line · Esc to close</div>
    </div>
  );
}
