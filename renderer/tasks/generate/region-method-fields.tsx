// How regions are bound when the document has regions: LayerBind (default) or one of the
// baselines it is measured against, and LayerBind's parameters. Empty = the pipeline's
// measured default (docs/layerbind.md).
import { DEFAULT_REGION_METHOD, type RegionMethodSettings } from './generate-settings.ts';
import { useStoreState } from '../../ui/editor-context.ts';
import { useGenerateTask } from './use-generate-task.ts';

const METHOD_LABELS: Record<RegionMethodSettings['mode'], string> = {
  layerbind: 'LayerBind (regions + occlusion order)',
  'regional-mask': 'Regional mask (baseline, no order)',
  global: 'Global prompt only (baseline)',
};

/** A number field where empty means "auto". */
function AutoNumber(props: { label: string; title: string; testId: string; value: number | null; min: number; max: number; step: number; integer?: boolean; onChange: (v: number | null) => void }) {
  return (
    <label title={props.title}>
      <span>{props.label}</span>
      <input
        type="number" data-testid={props.testId} placeholder="auto" min={props.min} max={props.max} step={props.step}
        value={props.value ?? ''}
        onChange={(e) => {
          if (e.target.value.trim() === '') return props.onChange(null);
          const n = Number(e.target.value);
          if (!Number.isFinite(n)) return;
          const v = Math.max(props.min, Math.min(props.max, props.integer ? Math.round(n) : n));
          props.onChange(v);
        }}
      />
    </label>
  );
}

export function RegionMethodFields() {
  const task = useGenerateTask();
  const steps = useStoreState(task.store, (s) => s.settings.steps);
  const m = useStoreState(task.store, (s) => s.settings.regionMethod) ?? DEFAULT_REGION_METHOD;
  const set = (patch: Partial<RegionMethodSettings>) => task.set({ regionMethod: { ...m, ...patch } });
  const tuned = m.fuseStep !== null || m.nursingSteps !== null || m.schedule !== null || m.strength !== null;
  return (
    <details className="region-method" data-testid="region-method">
      <summary title="How region prompts are bound to their boxes and stack order">
        Regions: {m.mode === 'layerbind' ? `LayerBind${tuned ? ' (tuned)' : ''}` : METHOD_LABELS[m.mode]}
      </summary>
      <label className="block" title="LayerBind binds each region to its box and keeps the stack order in overlaps; the baselines are there to compare">
        <span>Method</span>
        <select data-testid="region-method-mode" value={m.mode} onChange={(e) => set({ mode: e.target.value as RegionMethodSettings['mode'] })}>
          {(Object.keys(METHOD_LABELS) as RegionMethodSettings['mode'][]).map((k) => <option key={k} value={k}>{METHOD_LABELS[k]}</option>)}
        </select>
      </label>
      {m.mode === 'layerbind' && (
        <>
          <div className="row">
            <AutoNumber label="Fusion step" testId="lb-fuse-step" title="Phase 1 (one branch per region) runs until this step, then the branches are fused back to front. Auto: 10% of the steps" value={m.fuseStep} min={0} max={Math.max(0, steps - 1)} step={1} integer onChange={(v) => set({ fuseStep: v })} />
            <AutoNumber label="Nursing steps" testId="lb-nursing-steps" title="Phase 2 (layered attention composited inside each region) runs this many steps after the fusion. Auto: 20% of the steps" value={m.nursingSteps} min={0} max={steps} step={1} integer onChange={(v) => set({ nursingSteps: v })} />
          </div>
          <div className="row">
            <label title="How the regions' layer opacity falls over the nursing steps. Auto: cosine">
              <span>Schedule</span>
              <select data-testid="lb-schedule" value={m.schedule ?? ''} onChange={(e) => set({ schedule: (e.target.value || null) as RegionMethodSettings['schedule'] })}>
                <option value="">auto</option>
                <option value="cosine">cosine</option>
                <option value="linear">linear</option>
                <option value="constant">constant</option>
              </select>
            </label>
            <AutoNumber label="Strength" testId="lb-strength" title="Layer opacity at the start of nursing, 0 to 1. Auto: 1" value={m.strength} min={0} max={1} step={0.05} onChange={(v) => set({ strength: v })} />
          </div>
          {tuned && <button data-testid="lb-reset" onClick={() => set({ fuseStep: null, nursingSteps: null, schedule: null, strength: null })}>Reset to defaults</button>}
        </>
      )}
    </details>
  );
}
