/** A modal question (the native <dialog>: focus kept inside, Escape cancels) before something that cannot be undone. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function ConfirmDialog(props: { title: string; confirm: string; children: ComponentChildren; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => ref.current?.showModal(), []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onCancel={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      {props.children}
      <form method="dialog" class="inline" onSubmit={(e) => e.preventDefault()}>
        <button type="button" class="danger" onClick={props.onConfirm}>{props.confirm}</button>
        <button type="button" class="small" onClick={props.onCancel} autoFocus>Cancel</button>
      </form>
    </dialog>
  );
}
