// Generation controls: prompt, seed (lock / randomize), steps, guidance, pack, Generate,
// progress with step count, throttled live preview, Cancel.
import { collectRegions, generationSizeProblem } from './generation.ts';
import { LIMITS } from '../../../common/contract/limits.ts';
import { variationSeeds } from '../../../common/contract/variation-seeds.ts';
import { LimitedNumberInput } from '../../ui/limited-input.tsx';
import { useEditorState, useServices, useStoreState } from '../../ui/editor-context.ts';
import { JobProgress, SeedRow } from '../../ui/job-controls.tsx';
import { RegionMethodFields } from './region-method-fields.tsx';
import { useGenerateTask } from './use-generate-task.ts';
import { packLabel } from './pack-label.ts';
import { PromptField } from '../../ui/prompt-field.tsx';
import { usePromptVocabulary } from './use-prompt-vocabulary.ts';
import { VariationsStrip } from './variations-strip.tsx';
import { GenerationHistory } from './generation-history.tsx';
import { decompositionPacks } from '../decompose/decompose-task.ts';
import { generationSize } from '../../../common/models/generation-size.ts';

export function GeneratePanel() {
  const { editor } = useServices();
  const task = useGenerateTask();
  const gen = useStoreState(task.store, (s) => s.settings);
  const vocabulary = usePromptVocabulary();
  const lastSeed = useStoreState(task.store, (s) => s.lastSeed);
  const lastResultId = useStoreState(task.store, (s) => s.lastResultId);
  const candidates = useStoreState(task.store, (s) => s.candidates);
  const packs = useEditorState((s) => s.packs);
  const anyJob = useEditorState((s) => s.job);
  const job = anyJob?.task === 'generate' ? anyJob : null;
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  const running = !!job;
  const regions = doc ? collectRegions(doc) : [];
  const pack = packs.find((p) => p.id === gen.packId) ?? null;
  const native = pack?.native ? (pack.resolution && doc ? generationSize(pack.resolution, pack.native, doc) : pack.native) : null;
  const enlarged = native && doc ? Math.max(doc.width / native.width, doc.height / native.height) : 1;
  const sizeProblem = doc ? generationSizeProblem(doc) : null;
  return (
    <section className="panel gen-panel" data-testid="generate-panel" aria-label="Generate">
      <h2>Generate</h2>
      <PromptField
        testId="gen-prompt"
        ariaLabel="Global prompt"
        placeholder="Global prompt: the whole scene…"
        vocabulary={vocabulary}
        value={gen.prompt}
        onChange={(prompt) => task.set({ prompt })}
      />
      <SeedRow prefix="gen" seed={gen.seed} locked={gen.seedLocked} onChange={(patch) => task.set(patch)} />
      <div className="row">
        <LimitedNumberInput limit={LIMITS.steps} label="Steps" testId="gen-steps" value={gen.steps} onChange={(steps) => task.set({ steps })} />
        <LimitedNumberInput limit={LIMITS.guidance} label="Guidance" testId="gen-guidance" step={0.5} value={gen.guidance} onChange={(guidance) => task.set({ guidance })} />
        <LimitedNumberInput limit={LIMITS.batch} label="Variations" testId="gen-batch" value={gen.batch ?? 1} onChange={(batch) => task.set({ batch })} title={`Variations: ${LIMITS.batch.min} to ${LIMITS.batch.max} results, seeds seed, seed + 1, …; pick one afterwards`} />
      </div>
      <label className="block" title="Model pack">
        <span>Pack</span>
        <select data-testid="pack-select" value={gen.packId ?? ''} onFocus={() => void editor.refreshPacks()} onChange={(e) => task.set({ packId: e.target.value || null })}>
          {packs.length === 0 && <option value="">no packs found</option>}
          {packs.map((p) => (
            <option key={p.id} value={p.id} disabled={!p.ok} title={p.error ?? p.pipelines.join(', ')}>
              {packLabel(p)}
            </option>
          ))}
        </select>
      </label>
      {native && doc && (
        <p className="muted small" data-testid="gen-native">
          {pack!.id} generates at {native.width} × {native.height}
          {enlarged > 1.001 ? `; on this ${doc.width} × ${doc.height} canvas the result is enlarged ${Number(enlarged.toFixed(2))}×` : ' (this canvas: no enlarging)'}
        </p>
      )}
      {enlarged > 1.001 && (
        <label className="block" title="How the result is enlarged from the pack's native size">
          <span>Enlarge with</span>
          <select data-testid="gen-upscale" value={gen.upscale ?? 'lanczos'} onChange={(e) => task.set({ upscale: e.target.value as 'lanczos' | 'nearest' })}>
            <option value="lanczos">Lanczos (smooth)</option>
            <option value="nearest">Nearest neighbour (hard pixels)</option>
          </select>
        </label>
      )}
      {(pack?.adapters ?? []).map((a) => {
        const strength = gen.adapterStrengths?.[a.id] ?? a.defaultStrength;
        return (
          <label key={a.id} className="block" data-testid={`gen-lora-${a.id}`} title={`${a.description ?? `LoRA adapter "${a.id}"`} (joint block${a.blocks.length === 1 ? '' : 's'} ${a.blocks.join(', ')}); 0 = without it, ${a.defaultStrength} = the pack's default`}>
            <span>LoRA {a.id}</span>
            <input type="range" data-testid="gen-lora-strength" min={0} max={2} step={0.05} value={strength} aria-label={`LoRA ${a.id} strength`}
              onChange={(e) => task.set({ adapterStrengths: { ...gen.adapterStrengths, [a.id]: Number(e.target.value) } })} />
            <output data-testid="gen-lora-value">{strength.toFixed(2)}</output>
          </label>
        );
      })}
      {sizeProblem && <p className="field-error" role="alert" data-testid="gen-size-error">{sizeProblem}</p>}
      {regions.length > 0 && <RegionMethodFields />}
      {regions.length > 0 && (
        <label className="inline" title={`After generating, peel each region off front to back (its box as the mask, ${decompositionPacks(packs).length ? 'the decomposition model' : 'inpaint method: shadows stay in the background'}): a group of one layer per region over the cleaned background`}>
          <input type="checkbox" data-testid="gen-land-layers" checked={!!gen.layers} onChange={(e) => task.set({ layers: e.target.checked })} />
          Land as layers
        </label>
      )}
      <p className="muted small">{regions.length ? `${regions.length} region${regions.length > 1 ? 's' : ''}, front to back: ${regions.map((r) => r.prompt || '(empty)').join(' › ')}` : 'No regions: the global prompt fills the canvas.'}</p>
      {!running ? (
        <>
          <button className="primary" data-testid="gen-button" disabled={!doc || !!anyJob || !!sizeProblem} title={`Generate (${editor.shortcuts.label('gen.generate')})`} onClick={() => void task.generate()}>Generate</button>
          {regions.length > 0 && lastSeed !== null && (
            <div className="row">
              <button data-testid="gen-rebind" title={`Generate again with seed ${lastSeed} and the regions' current stack order`} onClick={() => void task.rebindOrder()}>Re-bind order</button>
              <label className="inline" title="Re-bind lands in place of the last result instead of adding a layer">
                <input type="checkbox" data-testid="gen-replace-previous" checked={!!gen.replacePrevious} disabled={!lastResultId} onChange={(e) => task.set({ replacePrevious: e.target.checked })} />
                replace the previous result
              </label>
            </div>
          )}
          {lastSeed !== null && <p className="muted small" data-testid="gen-last-seed">Last run: seed {lastSeed}{candidates.length > 1 ? `, variations ${variationSeeds(lastSeed, candidates.length).join(', ')}` : ''}</p>}
        </>
      ) : (
        <JobProgress prefix="gen" job={job} />
      )}
      {job?.preview && <img className="gen-preview" data-testid="gen-preview" src={job.preview} alt="Live preview of the generation" />}
      {!running && <VariationsStrip />}
      <GenerationHistory />
    </section>
  );
}
