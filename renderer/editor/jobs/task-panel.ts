// Task panels, framework-free side: each contract task the editor can start ('generate',
// later 'decompose', 'place', ...) has a panel controller that builds its job's input and
// starts it through the job tracker. Panels are registered by task id, like tools in
// tools/root-tool.ts; the app's list is renderer/tasks/task-panels.ts.
import type { TaskName } from '../../../common/contract/tasks.ts';
import type { EditorCore } from '../editor-core.ts';
import type { CommandId } from '../shortcuts.ts';
import type { JobTracker } from './job-tracker.ts';
import type { ToolId } from '../tools/root-tool.ts';

export interface TaskPanel {
  /** the contract task it starts */
  readonly id: TaskName;
  /** the shortcut command that runs it ('gen.generate'), if any */
  readonly command?: CommandId;
  /** start the task with the panel's current settings */
  run(): Promise<void>;
  dispose?(): void;
}

/** What a panel controller gets: the shared core (document, packs, toasts), the job tracker
 * and, in the editor, the tool switch (a panel that needs a canvas gesture picks its tool). */
export interface TaskPanelContext {
  core: EditorCore;
  jobs: JobTracker;
  tools?: { setTool(id: ToolId): void; readonly toolId: ToolId };
}

export interface TaskPanelDefinition {
  readonly id: TaskName;
  create(ctx: TaskPanelContext): TaskPanel;
}

export class TaskPanels {
  private readonly panels = new Map<TaskName, TaskPanel>();

  constructor(private readonly ctx: TaskPanelContext) {}

  register(def: TaskPanelDefinition): this {
    if (this.panels.has(def.id)) throw new Error(`task panel "${def.id}" is registered twice`);
    const panel = def.create(this.ctx);
    if (panel.id !== def.id) throw new Error(`task panel "${def.id}" created a controller for "${panel.id}"`);
    this.panels.set(def.id, panel);
    return this;
  }

  /** The controller registered for `id` (typed by the caller, who knows what it registered). */
  get<P extends TaskPanel = TaskPanel>(id: TaskName): P | undefined {
    return this.panels.get(id) as P | undefined;
  }

  list(): TaskPanel[] {
    return [...this.panels.values()];
  }

  forCommand(cmd: CommandId): TaskPanel | undefined {
    return this.list().find((p) => p.command === cmd);
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose?.();
  }
}
