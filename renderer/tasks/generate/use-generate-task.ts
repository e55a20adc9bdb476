// The generate panel's controller, as registered in ../task-panels.ts.
import { useServices } from '../../ui/editor-context.ts';
import type { GenerateTask } from './generate-task.ts';

export function useGenerateTask(): GenerateTask {
  const task = useServices().editor.task<GenerateTask>('generate');
  if (!task) throw new Error('the generate task panel is not registered');
  return task;
}
