/**
 * A virtualised data grid: only the rows in view (plus a small overscan) exist in the DOM, so 100k-row
 * results scroll at frame rate.
 *
 * Invariants:
 * - One scroll container holds the sticky header and the rows, so header and columns stay aligned when
 *   scrolling horizontally at tablet widths.
 * - ARIA grid semantics with aria-rowcount/aria-rowindex give screen readers the full size of the result.
 *   Keyboard: one cell is tabbable (roving tabindex); arrows, Home/End, PageUp/PageDown move it and scroll
 *   it into view; Enter or Space activates it (drill-down or row selection).
 * - Sorting is the caller's: the header reports the requested key, the caller decides whether to sort in
 *   place or ask the server (a truncated result must be sorted by the server).
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

export interface VtColumn<R> {
  id: string;
  label: string;
  width: number;
  numeric?: boolean;
  render?: (row: R) => ReactNode;
  /** Plain text of the cell (title and default render). */
  text?: (row: R) => string;
  /** Hover text when it should say more than the cell (a code's name). */
  title?: (row: R) => string;
  /** Cells of this column are activatable (drill-down). */
  activatable?: boolean;
}

export interface VtSort {
  key: string;
  dir: 'asc' | 'desc';
}

export interface VirtualTableProps<R> {
  label: string;
  columns: readonly VtColumn<R>[];
  rows: readonly R[];
  height: number | string;
  sort?: VtSort | null;
  onSort?: (key: string) => void;
  onActivate?: (rowIndex: number, columnId: string) => void;
  selectedIndex?: number | null;
  rowHeight?: number;
  empty?: ReactNode;
  testId?: string;
}

const HEADER_H = 30;

export function VirtualTable<R>(p: VirtualTableProps<R>) {
  const rowH = p.rowHeight ?? 26;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState({ r: 0, c: 0 });
  const focusPending = useRef(false);
  const virtualizer = useVirtualizer({
    count: p.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowH,
    overscan: 12,
    scrollPaddingStart: HEADER_H,
  });
  // Columns keep their widths as minimums and share any spare width of the container, so a narrow result
  // fills the grid instead of leaving an empty band on the right.
  const [boxWidth, setBoxWidth] = useState(0);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setBoxWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const minWidth = useMemo(() => p.columns.reduce((s, c) => s + c.width, 0), [p.columns]);
  const stretch = boxWidth > minWidth ? boxWidth / minWidth : 1;
  const colWidth = (c: VtColumn<R>) => Math.floor(c.width * stretch);
  const width = p.columns.reduce((s, c) => s + colWidth(c), 0);
  const items = virtualizer.getVirtualItems();

  // Keep the tabbable cell inside the rows when a result shrinks.
  useEffect(() => {
    if (p.rows.length > 0 && active.r >= p.rows.length) setActive((a) => ({ r: p.rows.length - 1, c: a.c }));
  }, [p.rows.length, active.r]);

  useEffect(() => {
    if (!focusPending.current) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-cell="${active.r}:${active.c}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      focusPending.current = false;
    }
  });

  const move = (r: number, c: number) => {
    const nr = Math.max(0, Math.min(p.rows.length - 1, r));
    const nc = Math.max(0, Math.min(p.columns.length - 1, c));
    setActive({ r: nr, c: nc });
    focusPending.current = true;
    virtualizer.scrollToIndex(nr, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!(e.target as HTMLElement).dataset['cell']) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / rowH) - 1);
    const k = e.key;
    if (k === 'ArrowDown') move(active.r + 1, active.c);
    else if (k === 'ArrowUp') move(active.r - 1, active.c);
    else if (k === 'ArrowRight') move(active.r, active.c + 1);
    else if (k === 'ArrowLeft') move(active.r, active.c - 1);
    else if (k === 'PageDown') move(active.r + page, active.c);
    else if (k === 'PageUp') move(active.r - page, active.c);
    else if (k === 'Home') move(e.ctrlKey ? 0 : active.r, 0);
    else if (k === 'End') move(e.ctrlKey ? p.rows.length - 1 : active.r, p.columns.length - 1);
    else if (k === 'Enter' || k === ' ') {
      const col = p.columns[active.c];
      if (col) p.onActivate?.(active.r, col.id);
    } else return;
    e.preventDefault();
  };

  const activeRendered = items.some((v) => v.index === active.r);

  return (
    <div
      ref={scrollRef}
      className="vt"
      role="grid"
      aria-label={p.label}
      aria-rowcount={p.rows.length + 1}
      aria-colcount={p.columns.length}
      style={{ height: p.height }}
      onKeyDown={onKeyDown}
      tabIndex={activeRendered || p.rows.length === 0 ? -1 : 0}
      onFocus={(e) => {
        if (e.target === scrollRef.current && p.rows.length) move(Math.max(active.r, items[0]?.index ?? 0), active.c);
      }}
      data-testid={p.testId}
    >
      <div className="vt-inner" style={{ width, height: virtualizer.getTotalSize() + HEADER_H }}>
        <div className="vt-head" role="row" aria-rowindex={1} style={{ width }}>
          {p.columns.map((c) => {
            const sorted = p.sort?.key === c.id ? p.sort.dir : null;
            return (
              <div
                key={c.id}
                role="columnheader"
                className={c.numeric ? 'vt-th num' : 'vt-th'}
                style={{ width: colWidth(c) }}
                aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
              >
                {p.onSort ? (
                  <button type="button" onClick={() => p.onSort?.(c.id)} title={`Sort by ${c.label}`}>
                    <span>{c.label}</span>
                    <span aria-hidden="true">{sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}</span>
                  </button>
                ) : (
                  c.label
                )}
              </div>
            );
          })}
        </div>
        {p.rows.length === 0 && <div className="vt-empty">{p.empty ?? 'No rows.'}</div>}
        {items.map((v) => {
          const row = p.rows[v.index]!;
          return (
            <div
              key={v.key}
              role="row"
              aria-rowindex={v.index + 2}
              aria-selected={p.selectedIndex === v.index ? true : undefined}
              className={p.selectedIndex === v.index ? 'vt-row selected' : 'vt-row'}
              style={{ width, height: rowH, transform: `translateY(${v.start + HEADER_H}px)` }}
            >
              {p.columns.map((c, ci) => {
                const text = c.text ? c.text(row) : String((row as Record<string, unknown>)[c.id] ?? '');
                const isActive = active.r === v.index && active.c === ci;
                return (
                  <div
                    key={c.id}
                    role="gridcell"
                    className={c.numeric ? 'vt-td num' : 'vt-td'}
                    style={{ width: colWidth(c) }}
                    title={c.title ? c.title(row) : text}
                    tabIndex={isActive ? 0 : -1}
                    data-cell={`${v.index}:${ci}`}
                    onClick={() => {
                      setActive({ r: v.index, c: ci });
                      if (c.activatable || !p.columns.some((x) => x.activatable)) p.onActivate?.(v.index, c.id);
                    }}
                  >
                    {c.activatable ? <span className="vt-cell-btn">{c.render ? c.render(row) : text}</span> : c.render ? c.render(row) : text}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
