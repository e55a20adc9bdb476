// The task panels of the app, one entry each: its controller (framework-free, started by
// the editor's job tracker) and its view. Adding a task panel: a folder
// renderer/tasks/<task>/ with both, and one entry here.
import type { ComponentType } from 'react';
import type { TaskPanelDefinition } from '../editor/jobs/task-panel.ts';
import { generateTaskPanel } from './generate/generate-task.ts';
import { GeneratePanel } from './generate/generate-panel.tsx';
import { layersTaskPanel } from './layers/layers-task.ts';
import { LayersTaskPanel } from './layers/layers-panel.tsx';
import { decomposeTaskPanel } from './decompose/decompose-task.ts';
import { DecomposePanel } from './decompose/decompose-panel.tsx';
import { textEditTaskPanel } from './text-edit/text-edit-task.ts';
import { TextEditPanel } from './text-edit/text-edit-panel.tsx';

export interface TaskPanelEntry extends TaskPanelDefinition {
  View: ComponentType;
}

export const TASK_PANELS: readonly TaskPanelEntry[] = [
  // Edit Text first: it shows only while a text edit is open, where the designer looks
  { ...textEditTaskPanel, View: TextEditPanel },
  { ...generateTaskPanel, View: GeneratePanel },
  { ...layersTaskPanel, View: LayersTaskPanel },
  { ...decomposeTaskPanel, View: DecomposePanel },
];
