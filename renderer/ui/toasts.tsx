import { useEditorState, useServices } from './editor-context.ts';
import { Icon } from './icons.tsx';
import { errorTitle, humanMessage } from '../editor/error-text.ts';


export function Toasts() {
  const { editor } = useServices();
  const toasts = useEditorState((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${t.kind}`} data-code={t.code ?? ''}>
          <span className="msg">{t.kind === 'error' && errorTitle(t.code) ? <b>{errorTitle(t.code)}: </b> : null}{t.kind === 'error' ? humanMessage(t.message) : t.message}</span>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => editor.dismissToast(t.id)}><Icon name="close" size={12} /></button>
        </div>
      ))}
    </div>
  );
}
