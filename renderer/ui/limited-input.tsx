// A number field bound to one of the contract's limits (common/contract/limits.ts): it shows
// the range, never clamps, and says why a typed value is out of range. `onChange` only sees
// acceptable values; `onValidity` tells the form whether it can be submitted.
import { useEffect, useState } from 'react';
import { parseLimited, type Limit } from '../../common/contract/limits.ts';

export function LimitedNumberInput({ limit, value, onChange, onValidity, testId, label, step, title, className }: {
  limit: Limit; value: number; onChange: (v: number) => void; onValidity?: (error: string | null) => void;
  testId: string; label: string; step?: number; title?: string; className?: string;
}) {
  const [text, setText] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  // follow outside changes (a preset, a new random seed); a typed value that is valid is already `value`
  useEffect(() => {
    if (Number(text) !== value || text.trim() === '') {
      setText(String(value));
      setError(null);
      onValidity?.(null);
    }
  }, [value]);
  return (
    <label title={title ?? `${limit.label}: ${limit.min} to ${limit.max}${limit.unit ? ` ${limit.unit}` : ''}`} className={[className, error ? 'invalid' : ''].filter(Boolean).join(' ') || undefined}>
      <span>{label}</span>
      <input
        type="number" data-testid={testId} min={limit.min} max={limit.max} step={step ?? (limit.int ? 1 : 'any')}
        value={text} aria-invalid={!!error}
        onChange={(e) => {
          setText(e.target.value);
          const r = parseLimited(limit, e.target.value);
          setError(r.error);
          onValidity?.(r.error);
          if (r.value !== null) onChange(r.value);
        }}
      />
      {error && <span className="field-error" role="alert" data-testid={`${testId}-error`}>{error}</span>}
    </label>
  );
}
