import { useEditorState, useServices } from './editor-context.ts';
import { Icon } from './icons.tsx';

export function Toasts() {
  const { editor } = useServices();
  const toasts = useEditorState((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${t.kind}`} data-code={t.code ?? ''}>
          <span className="msg">{t.code && t.kind === 'error' ? <b>{t.code.replace(/_/g, ' ')}: </b> : null}{t.message}</span>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => editor.dismissToast(t.id)}><Icon name="close" size={12} /></button>
        </div>
      ))}
    </div>
  );
}
