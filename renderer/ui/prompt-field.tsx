// A prompt textarea that knows the pack's words (renderer/editor/prompt-words.ts): unknown
// words get a wavy underline as you type (a mirrored backdrop behind the transparent
// textarea) and a line naming the closest known words; the word at the caret is completed
// from the vocabulary (↑/↓ choose, Tab or Enter after choosing accepts, Esc closes).
// Without a vocabulary (a pack that takes any text) it is a plain textarea.
import { Fragment, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import type { PackVocabulary } from '../../common/contract/pack-vocabulary.ts';
import { completions, promptWords, replaceWord, unknownWords, wordAtCaret } from '../editor/prompt-words.ts';
import { closestWords } from '../../common/text/edit-distance.ts';

export interface PromptFieldProps {
  value: string;
  onChange: (text: string) => void;
  vocabulary: PackVocabulary | null;
  testId: string;
  ariaLabel: string;
  placeholder?: string;
  rows?: number;
  inputRef?: RefObject<HTMLTextAreaElement | null>;
  /** keys the suggestion list did not take */
  onKeyDown?: (e: KeyboardEvent<HTMLTextAreaElement>) => void;
  onBlur?: () => void;
}

export function PromptField(props: PromptFieldProps) {
  const { value, vocabulary: vocab, testId } = props;
  const ownRef = useRef<HTMLTextAreaElement>(null);
  const ref = props.inputRef ?? ownRef;
  const backdrop = useRef<HTMLDivElement>(null);
  const [caret, setCaret] = useState<number | null>(null);
  const [active, setActive] = useState(-1);
  const [closed, setClosed] = useState(false);

  const current = vocab && caret !== null ? wordAtCaret(value, caret, vocab) : null;
  const options = vocab && current && current.end === caret && !closed ? completions(value.slice(current.start, current.end), vocab) : [];
  const unknown = vocab ? unknownWords(value, vocab).filter((w) => w !== current?.word || current.end !== caret) : [];

  const track = () => {
    const el = ref.current;
    if (el) setCaret(el.selectionStart === el.selectionEnd ? el.selectionStart : null);
  };
  const accept = (word: string) => {
    if (!current) return;
    const next = replaceWord(value, current, word);
    props.onChange(next.text);
    setActive(-1);
    setCaret(next.caret);
    requestAnimationFrame(() => ref.current?.setSelectionRange(next.caret, next.caret));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (options.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = options.length;
        setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % n : a <= 0 ? n - 1 : a - 1));
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && active >= 0)) {
        e.preventDefault();
        accept(options[Math.max(0, Math.min(active, options.length - 1))]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setClosed(true);
        return;
      }
    }
    props.onKeyDown?.(e);
  };

  return (
    <div className="prompt-field">
      <div className="prompt-box">
      {vocab && (
        <div className="prompt-backdrop" ref={backdrop} aria-hidden="true">
          {highlight(value, vocab)}
        </div>
      )}
      <textarea
        ref={ref}
        data-testid={testId}
        aria-label={props.ariaLabel}
        aria-invalid={unknown.length > 0 || undefined}
        aria-autocomplete={vocab ? 'list' : undefined}
        placeholder={props.placeholder}
        rows={props.rows ?? 2}
        value={value}
        spellCheck={vocab ? false : undefined}
        onChange={(e) => {
          props.onChange(e.target.value);
          setClosed(false);
          setActive(-1);
          setCaret(e.target.selectionStart === e.target.selectionEnd ? e.target.selectionStart : null);
        }}
        onSelect={track}
        onKeyDown={onKeyDown}
        onScroll={(e) => { if (backdrop.current) backdrop.current.scrollTop = e.currentTarget.scrollTop; }}
        onBlur={() => {
          setCaret(null);
          props.onBlur?.();
        }}
      />
      </div>
      {options.length > 0 && (
        <ul className="prompt-suggestions" role="listbox" data-testid={`${testId}-suggestions`}>
          {options.map((w, i) => (
            <li key={w} role="option" aria-selected={i === active} className={i === active ? 'active' : undefined}
              onMouseDown={(e) => { e.preventDefault(); accept(w); }}>{w}</li>
          ))}
        </ul>
      )}
      {unknown.length > 0 && vocab && (
        <p className="prompt-unknown" role="status" data-testid={`${testId}-unknown`}>
          The model doesn't know {unknown.map((w, i) => (
            <Fragment key={w}>{i ? ', ' : ''}<b>{w}</b> (try {closestWords(w, vocab.words).join(', ')})</Fragment>
          ))}
        </p>
      )}
    </div>
  );
}

/** The text again, unknown words wrapped for the underline (a trailing newline kept visible). */
function highlight(text: string, vocab: PackVocabulary) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const w of promptWords(text, vocab)) {
    if (w.known) continue;
    parts.push(text.slice(at, w.start), <mark key={w.start} className="unknown-word">{text.slice(w.start, w.end)}</mark>);
    at = w.end;
  }
  parts.push(`${text.slice(at)}\u200b`);
  return parts;
}
