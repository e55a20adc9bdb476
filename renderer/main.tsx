// Renderer entry: pick the transport, build the editor, mount React.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient, type PreloadApi } from './bridge/index.ts';
import { Editor } from './editor/editor.ts';
import { ImageCache } from './canvas/image-cache.ts';
import { createPixelServices } from './canvas/pixel-services.ts';
import { App } from './ui/app.tsx';
import { TASK_PANELS } from './tasks/task-panels.ts';
import { toCommandId } from './editor/shortcuts.ts';
import { EditorContext } from './ui/editor-context.ts';
import './ui/styles.css';

declare global {
  interface Window {
    lamina?: PreloadApi;
    /** test hook: the editor instance (used by e2e and the bench) */
    __lamina?: { editor: Editor; cache: ImageCache };
  }
}

const client = createClient(window);
const editor = new Editor({
  client,
  storage: window.localStorage,
  confirm: (m) => window.confirm(m),
  tasks: TASK_PANELS,
});
const cache = new ImageCache(client, (err) => editor.reportError(err));
editor.pixels = createPixelServices(cache);
// the image cache follows the open document synchronously, before React renders it
editor.store.subscribe((s) => cache.setDocument(s.snapshot?.docId ?? null));
window.__lamina = { editor, cache };

function Root() {
  const [connection, setConnection] = useState<string>(client.state);
  useEffect(() => window.lamina?.onMenuCommand?.((cmd) => {
    const id = toCommandId(cmd);
    if (id) editor.runCommand(id);
  }), []);
  useEffect(() => {
    const sync = (s: string) => {
      setConnection(s);
      editor.store.set({ connection: s as 'open' });
    };
    const off = client.onState?.(sync);
    sync(client.state);
    return () => off?.();
  }, []);
  return (
    <EditorContext.Provider value={{ editor, cache }}>
      <App connection={connection} fileDialog={window.lamina?.fileDialog?.bind(window.lamina)} />
    </EditorContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
