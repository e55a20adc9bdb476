// How the pack picker names a pack: id and version, then what a designer needs to choose
// (family, native size, weight dtype, memory needed) and whether it verified.
import type { PackSummary } from '../../../common/contract/contract.ts';

export function packLabel(p: PackSummary): string {
  if (!p.ok) return `${p.id} ${p.version} (invalid)`;
  const facts = [
    p.family,
    p.native ? `${p.native.width}×${p.native.height}` : null,
    p.dtype,
    p.memoryBytes !== undefined ? `~${(p.memoryBytes / 2 ** 30).toFixed(p.memoryBytes < 2 ** 30 ? 2 : 1)} GiB` : null,
  ].filter(Boolean);
  return `${p.id} ${p.version}${facts.length ? ` · ${facts.join(' · ')}` : ''} · verified${p.pipelines.length === 0 ? ' (no pipelines)' : ''}`;
}
