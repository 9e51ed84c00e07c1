import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { EcrApiError } from './ecr-client';
import { back, forward, hasNext, hasPrevious, type PageCursor } from './paging';

/** Previous / Next over a forward-only listing; the page number is announced to screen readers. */
export function Pager({ label, cursor, loading, go }: { label: string; cursor: PageCursor; loading: boolean; go: (cursor: PageCursor) => void }) {
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={loading || !hasPrevious(cursor)} onClick={() => go(back(cursor))}>
        Previous
      </button>
      <span aria-live="polite">Page {cursor.index + 1}</span>
      <button type="button" disabled={loading || !hasNext(cursor)} onClick={() => go(forward(cursor))}>
        Next
      </button>
    </nav>
  );
}

/** Loading and error states of a call, or its content. */
export function Loaded({ loading, error, children }: { loading: boolean; error?: unknown; children: () => ComponentChildren }) {
  if (error) return <ErrorNote error={error} />;
  if (loading)
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );
  return <>{children()}</>;
}

export function ErrorNote({ error }: { error: unknown }) {
  const text = error instanceof EcrApiError ? `${error.errorName}: ${error.message}` : error instanceof Error ? error.message : String(error);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

/**
 * A command with a copy button. The clipboard API needs a secure context (https or localhost); elsewhere
 * the text is selected so the person can copy it themselves.
 */
export function CopyLine({ text, label, compact = false }: { text: string; label: string; compact?: boolean }) {
  const [state, setState] = useState('');
  const copy = async (target: HTMLElement | null) => {
    try {
      await navigator.clipboard.writeText(text);
      setState('Copied');
    } catch {
      const code = target?.parentElement?.querySelector('code');
      if (code) getSelection()?.selectAllChildren(code);
      setState(code ? 'Selected: press Ctrl+C to copy' : `Copy failed: ${text}`);
    }
  };
  return (
    <div class="copy-line">
      {!compact && <code>{text}</code>}
      <button type="button" aria-label={`Copy ${label}`} onClick={(event) => void copy(event.currentTarget)}>
        Copy
      </button>
      <span class="muted" role="status">
        {state}
      </span>
    </div>
  );
}
