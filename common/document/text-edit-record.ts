// A text edit's record in a layer's provenance (params.textEdit) and what it implies: the
// prompt the layer shows now and the plain generation behind it. A layer edited again is
// re-run from that same generation with the edits so far plus the new one in its prompt,
// so editing "red" -> "green" and then "green" -> "blue" gives the pixels of one edit
// "red" -> "blue" (outside the boxes, the earlier edits' pixels stay).
import type { Box, Provenance } from './provenance.ts';

export type TextEditRecord = {
  from: string;
  to: string;
  /** the layer's prompt after this edit (the generation's prompt with every edit so far) */
  prompt: string;
  blocks: number[];
  startStep: number;
  box?: Box;
  /** the edit before this one, when the layer was edited more than once */
  previous?: TextEditRecord;
};

/** The layer's last text edit, if it is one. */
export function textEditRecord(p: Provenance): TextEditRecord | null {
  const e = p.params.textEdit as unknown as TextEditRecord | undefined;
  return p.task === 'text-edit' && e && typeof e.prompt === 'string' ? e : null;
}

/** The prompt the layer shows now: its last edit's, else the generation's. */
export function currentPrompt(p: Provenance): string {
  return textEditRecord(p)?.prompt ?? p.prompt;
}

/** The plain generation behind a layer: the provenance itself, or, for a text edit, the text-to-image run it re-ran. */
export function generationOf(p: Provenance): Provenance {
  if (!textEditRecord(p)) return p;
  const { textEdit: _edit, ...params } = p.params;
  return { ...p, task: 'generate', pipeline: 'text-to-image', params };
}
