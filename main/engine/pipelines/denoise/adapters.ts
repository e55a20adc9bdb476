// A spec's LoRA adapters (GenerationSpec.adapters) resolved against the pack: each id must
// be one the pack ships (else bad_request listing them); strength 0 is dropped, so such a
// run uses the base graph's own session and is byte-identical to no adapter.
import type { AdapterUse } from '../../../../common/contract/generation-spec.ts';
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { join } from 'node:path';
import type { AdapterMerge } from '../../runtime/lora-merge.ts';
import type { PackModel } from '../../runtime/pack-model.ts';

export function resolveAdapters(model: PackModel, uses: readonly AdapterUse[]): AdapterMerge[] {
  const have = Object.keys(model.adapters);
  return uses.flatMap((u) => {
    const component = model.adapters[u.id];
    if (!component) throw new LaminaError('bad_request', `model pack "${model.id}" has no adapter "${u.id}" (${have.length ? `adapters: ${have.join(', ')}` : 'it ships none'})`);
    return u.strength === 0 ? [] : [{ id: u.id, component, path: join(model.dir, component.file), strength: u.strength }];
  });
}

/** The session variant's key: the adapters and strengths merged (sorted, so order does not matter). */
export function adapterKey(merges: readonly AdapterMerge[]): string {
  return merges.map((m) => `${m.id}@${m.strength}`).sort().join('+');
}
