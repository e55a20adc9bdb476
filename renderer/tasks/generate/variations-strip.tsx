// The last run's variations side by side: click one to keep it (the others are deleted,
// one undo step), or keep them all.
import type { GenerationEntry } from '../../../common/document/generation-history.ts';
import { useEditorState, useStoreState } from '../../ui/editor-context.ts';
import { Thumbnail } from '../../ui/thumbnail.tsx';
import { useGenerateTask } from './use-generate-task.ts';

const NONE: GenerationEntry[] = [];

export function VariationsStrip() {
  const task = useGenerateTask();
  const candidates = useStoreState(task.store, (s) => s.candidates);
  const log = useEditorState((s) => s.snapshot?.document.generations ?? NONE);
  if (candidates.length < 2) return null;
  return (
    <div className="variations" data-testid="gen-variations">
      <p className="muted small">{candidates.length} variations: pick one to keep</p>
      <div className="thumbs">
        {candidates.map((id, k) => {
          const entry = log.find((e) => e.layerId === id);
          return (
            <button key={id} className="thumb-btn" data-testid={`gen-variation-${k}`} title={`Keep this one${entry ? ` (seed ${entry.spec.seed})` : ''}; delete the others`} onClick={() => void task.pickVariation(id)}>
              <Thumbnail imageId={entry?.thumbnailId} size={56} />
              <span className="small">{entry ? entry.spec.seed : k + 1}</span>
            </button>
          );
        })}
      </div>
      <button className="link" data-testid="gen-keep-all" onClick={() => task.keepAllVariations()}>Keep all</button>
    </div>
  );
}
