// A modal dialog: focus moves in and is trapped there, Esc closes it (when closable), and focus
// returns to where it was when the dialog goes away.
import { useEffect, useRef, type ReactNode } from 'react';

const focusable =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  readonly title: string;
  readonly children: ReactNode;
  /** Esc and the close button call it; without it the dialog must be answered. */
  readonly onClose?: () => void;
  readonly closeLabel?: string;
}

export function Dialog({ title, children, onClose, closeLabel }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useRef(`dialog-${Math.random().toString(36).slice(2)}`).current;

  // Read during the first render, before any autoFocus inside the dialog moves focus.
  const before = useRef(document.activeElement as HTMLElement | null).current;

  useEffect(() => {
    const box = ref.current!;
    // A control with autoFocus has already taken focus; otherwise the first control gets it.
    if (!box.contains(document.activeElement)) (box.querySelector<HTMLElement>(focusable) ?? box).focus();
    return () => before?.focus?.();
  }, [before]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape' && onClose) {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = [...ref.current!.querySelectorAll<HTMLElement>(focusable)];
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="dialog-backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={ref}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <div className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          {onClose && (
            <button type="button" className="icon-button" aria-label={closeLabel ?? 'close'} onClick={onClose}>
              ×
            </button>
          )}
        </div>
        {children}
      </div>
    </div>
  );
}
