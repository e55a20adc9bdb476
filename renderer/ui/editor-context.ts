// React bindings for the framework-free editor: context + selector hook.
import { createContext, useContext, useSyncExternalStore, useRef } from 'react';
import type { Editor } from '../editor/editor.ts';
import type { EditorState } from '../editor/editor-state.ts';
import type { Store } from '../editor/store.ts';
import type { ImageCache } from '../canvas/image-cache.ts';

export interface EditorServices {
  editor: Editor;
  cache: ImageCache;
}

export const EditorContext = createContext<EditorServices | null>(null);

export function useServices(): EditorServices {
  const s = useContext(EditorContext);
  if (!s) throw new Error('EditorContext is missing');
  return s;
}

export function useEditor(): Editor {
  return useServices().editor;
}

/** Subscribe to a slice of a store; re-renders only when the slice changes (Object.is). */
export function useStoreState<S, T>(store: Store<S>, selector: (s: S) => T): T {
  const selRef = useRef(selector);
  selRef.current = selector;
  return useSyncExternalStore(
    (cb) => store.subscribe(cb),
    () => selRef.current(store.get()),
  );
}

/** Subscribe to a slice of editor state. */
export function useEditorState<T>(selector: (s: EditorState) => T): T {
  return useStoreState(useServices().editor.store, selector);
}

export function useCacheVersion(): number {
  const { cache } = useServices();
  return useSyncExternalStore((cb) => cache.subscribe(cb), () => cache.version);
}
