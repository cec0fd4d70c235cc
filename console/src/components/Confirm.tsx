import { useEffect, useRef, type ReactNode } from 'react';

/** A modal confirmation (the native dialog: focus trapped, Escape cancels) that says what will happen. */
export function Confirm({ title, children, confirmLabel, onConfirm, onCancel, busy }: {
  title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; busy?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) {
      d.showModal?.();
    }
  }, []);
  return (
    <dialog ref={dialog} className="card" aria-labelledby="confirm-title" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <div className="actions">
        <button type="button" onClick={onCancel}>Cancel</button>
        <button type="button" className="primary" onClick={onConfirm} disabled={busy}>{confirmLabel}</button>
      </div>
    </dialog>
  );
}
