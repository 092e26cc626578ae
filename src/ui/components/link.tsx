import type { ComponentChildren } from 'preact';
import { BASE, isModifiedClick, navigate } from '../lib/router';

/** A real link (keyboard, middle click, copy address all work) that changes page without a reload. */
export function Link(props: { to: string; children: ComponentChildren; class?: string; 'aria-label'?: string }) {
  const onClick = (e: MouseEvent) => {
    if (isModifiedClick(e)) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={`${BASE}${props.to}`} onClick={onClick} class={props.class} aria-label={props['aria-label']}>
      {props.children}
    </a>
  );
}
