// The vocabulary prompt fields check against: the generate panel's pack's (renderer/editor/prompt-words.ts).
import type { PackVocabulary } from '../../../common/contract/pack-vocabulary.ts';
import { promptVocabulary } from '../../editor/prompt-words.ts';
import { useEditorState, useStoreState } from '../../ui/editor-context.ts';
import { useGenerateTask } from './use-generate-task.ts';

export function usePromptVocabulary(): PackVocabulary | null {
  const packId = useStoreState(useGenerateTask().store, (s) => s.settings.packId);
  const packs = useEditorState((s) => s.packs);
  return promptVocabulary(packs, packId);
}
