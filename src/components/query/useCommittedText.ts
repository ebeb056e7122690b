import { ChangeEvent, KeyboardEvent, useState } from 'react';

/** Text that is committed on blur or Enter, never on each key press. */
export function useCommittedText(saved: string, commit: (text: string) => void) {
  const [text, setText] = useState(saved);
  // Follow the saved value when the query changes from outside (history, another editor).
  const [lastSaved, setLastSaved] = useState(saved);
  if (saved !== lastSaved) {
    setLastSaved(saved);
    setText(saved);
  }
  const apply = () => {
    if (text !== saved) {
      commit(text);
    }
  };
  return {
    value: text,
    onChange: (e: ChangeEvent<HTMLInputElement>) => setText(e.target.value),
    onBlur: apply,
    onKeyDown: (e: KeyboardEvent<HTMLInputElement>) => {
      if (e.key === 'Enter') {
        apply();
      }
    },
  };
}
