// The document's generation history (saved in its .ora): newest first, a thumbnail, the
// prompt and seed of each result; clicking one re-opens its spec in the panel.
import type { GenerationEntry } from '../../../common/document/generation-history.ts';
import { useEditorState } from '../../ui/editor-context.ts';
import { Thumbnail } from '../../ui/thumbnail.tsx';
import { useGenerateTask } from './use-generate-task.ts';

const NONE: GenerationEntry[] = [];

export function GenerationHistory() {
  const task = useGenerateTask();
  const log = useEditorState((s) => s.snapshot?.document.generations ?? NONE);
  if (!log.length) return null;
  return (
    <details className="gen-history" data-testid="gen-history" open>
      <summary>History ({log.length})</summary>
      <ul>
        {log.map((e, i) => (
          <li key={e.id}>
            <button className="history-entry" data-testid={`history-entry-${i}`} title={`Re-open this spec: ${e.spec.steps} steps, guidance ${e.spec.guidance}${e.spec.regions.length ? `, ${e.spec.regions.length} regions` : ''}${e.area ? ', regenerated an area' : ''}`} onClick={() => void task.reopen(e.id)}>
              <Thumbnail imageId={e.thumbnailId} size={40} />
              <span className="history-text"><span className="history-prompt">{e.spec.prompt || '(no prompt)'}</span><span className="muted small">seed {e.spec.seed} · {new Date(e.createdAt).toLocaleTimeString()}</span></span>
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
