// The Text tool's options (font, size, colour, alignment): the style of new text, and of
// the selected text layer, which re-renders as one undo step per change (a colour drag is one).
import { BUNDLED_FONTS } from '../../common/document/text-fonts.ts';
import { TEXT_ALIGNS } from '../../common/document/document-schema.ts';
import { useEditorState, useServices } from './editor-context.ts';

const hex = (c: readonly number[]) => `#${c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
const rgba = (h: string): [number, number, number, number] => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)).concat(255) as [number, number, number, number];

export function TextOptions({ title }: { title: string }) {
  const { editor } = useServices();
  const style = useEditorState((s) => s.textStyle);
  const set = (patch: Parameters<typeof editor.text.setToolStyle>[0], mergeKey?: string) => void editor.text.setToolStyle(patch, { mergeKey });
  return (
    <div className="field text-options" data-testid="text-options">
      <label>{title}</label>
      <label className="inline">
        Font
        <select data-testid="text-font" value={style.fontFamily} onChange={(e) => set({ fontFamily: e.target.value })}>
          {BUNDLED_FONTS.map((f) => <option key={f.family} value={f.family}>{f.family}{f.weight === 'bold' ? ' Bold' : ''}</option>)}
        </select>
      </label>
      <label className="inline">
        Size
        <input
          type="number" data-testid="text-size" min={4} max={1000} value={style.fontSize}
          onChange={(e) => {
            const v = Number(e.target.value);
            if (v >= 4 && v <= 1000) set({ fontSize: v }, 'text-size');
          }}
        />
      </label>
      <label className="inline">
        Colour
        <input type="color" data-testid="text-colour" value={hex(style.color)} onChange={(e) => set({ color: rgba(e.target.value) }, 'text-colour')} />
      </label>
      <div className="align" role="group" aria-label="Alignment">
        {TEXT_ALIGNS.map((a) => (
          <button key={a} type="button" className={`align-btn${style.align === a ? ' on' : ''}`} data-testid={`text-align-${a}`} aria-pressed={style.align === a} onClick={() => set({ align: a })}>
            {a}
          </button>
        ))}
      </div>
    </div>
  );
}
