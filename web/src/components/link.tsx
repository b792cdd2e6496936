import type { MouseEvent, ReactNode } from 'react';
import { navigate } from '../router.ts';

interface LinkProps {
  href: string;
  children: ReactNode;
  className?: string;
  title?: string;
  /** Marks the link to the page being shown (navigation bars, tabs). */
  current?: boolean;
}

/** An in-app link: a real <a href> (open in new tab works) that navigates without reloading. */
export function Link({ href, children, className, title, current }: LinkProps) {
  const onClick = (ev: MouseEvent<HTMLAnchorElement>) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey)
      return;
    ev.preventDefault();
    navigate(href);
  };
  return (
    <a
      href={href}
      className={className}
      title={title}
      aria-current={current ? 'page' : undefined}
      onClick={onClick}
    >
      {children}
    </a>
  );
}
