import { useEditorState, useServices } from './editor-context.ts';
import { Icon } from './icons.tsx';

/** What a designer reads before an error's message: words, not error codes (the code stays in data-code). */
const ERROR_TITLES: Partial<Record<string, string>> = {
  bad_request: "Can't do that", not_found: 'Not found', bad_file: 'Unreadable file', unsupported: 'Not supported',
  too_large: 'Too large', io_error: "Couldn't write the file", exists: 'File exists', bad_pack: 'Model pack problem',
  no_pipeline: 'Not available yet', provider_failed: 'Device problem', internal: 'Something went wrong',
};

export function Toasts() {
  const { editor } = useServices();
  const toasts = useEditorState((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${t.kind}`} data-code={t.code ?? ''}>
          <span className="msg">{t.code && t.kind === 'error' ? <b>{ERROR_TITLES[t.code] ?? t.code.replace(/_/g, ' ')}: </b> : null}{t.message}</span>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => editor.dismissToast(t.id)}><Icon name="close" size={12} /></button>
        </div>
      ))}
    </div>
  );
}
