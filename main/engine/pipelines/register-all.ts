// Importing this registers every pipeline Lamina ships with the pipeline registry.
// (job-tasks.ts imports it once; each pipeline file registers itself.)
import './pipeline-text-to-image.ts';
import './pipeline-layerbind.ts';
import './pipeline-placement.ts';
import './pipeline-decompose.ts';
import './pipeline-art.ts';
import './pipeline-text-edit.ts';
