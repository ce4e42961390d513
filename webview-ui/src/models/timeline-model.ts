import { signal } from "@preact/signals";
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from "@tanstack/virtual-core";
import { computeWindow, indexAtTime, scrollOffsetForIndex, windowIndexes, type TimelineItem, type WindowRange } from "../../../engine/src/review/models.ts";

export const ROW_HEIGHT = 72;
export const OVERSCAN = 5;

/**
 * The virtualized timeline: @tanstack/virtual-core observes the scroll
 * element; which rows exist is decided by the pure `computeWindow`.
 */
export function createTimelineModel(initial: readonly TimelineItem[], options: { readonly rowHeight?: number; readonly overscan?: number; readonly virtualize?: boolean; readonly total?: number } = {}) {
  const rowHeight = options.rowHeight ?? ROW_HEIGHT;
  /** Items loaded so far, in order; a long timeline arrives in pages after the first. */
  const items: TimelineItem[] = [...initial];
  const count = Math.max(options.total ?? items.length, items.length);
  /** Bumped when more items arrive, so rows waiting for them re-render. */
  const version = signal(0);
  // Without virtualization (the benchmark's peer) every row is rendered: an overscan as long as the list.
  const overscan = options.virtualize === false ? count : (options.overscan ?? OVERSCAN);
  const range = signal<WindowRange>(computeWindow({ count, rowHeight, scrollTop: 0, viewportHeight: 0, overscan }));
  const scrolling = signal(false);
  /** The item the play head is in, highlighted. */
  const activeIndex = signal(-1);
  let virtualizer: Virtualizer<HTMLElement, HTMLElement> | undefined;
  let element: HTMLElement | undefined;

  function windowFor(instance: Virtualizer<HTMLElement, HTMLElement>): WindowRange {
    return computeWindow({ count, rowHeight, scrollTop: instance.scrollOffset ?? 0, viewportHeight: instance.scrollRect?.height ?? 0, overscan });
  }

  return {
    /** Rows in the whole timeline, loaded or not. */
    count,
    version,
    itemAt: (index: number): TimelineItem | undefined => items[index],
    /** Every item loaded so far. */
    all: (): readonly TimelineItem[] => items,
    complete: (): boolean => items.length >= count,
    append(more: readonly TimelineItem[]): void {
      for (const item of more) items.push(item);
      version.value++;
    },
    rowHeight,
    range,
    scrolling,
    activeIndex,
    /** Binds to the scroll container; returns the cleanup. */
    attach(scrollElement: HTMLElement): () => void {
      element = scrollElement;
      const instance: Virtualizer<HTMLElement, HTMLElement> = new Virtualizer<HTMLElement, HTMLElement>({
        count,
        getScrollElement: () => scrollElement,
        estimateSize: () => rowHeight,
        overscan,
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        initialRect: { width: scrollElement.clientWidth, height: scrollElement.clientHeight },
        rangeExtractor: (): number[] => windowIndexes(windowFor(instance)),
        onChange: (changed) => {
          const next = windowFor(changed);
          const prev = range.peek();
          if (next.start !== prev.start || next.end !== prev.end || next.totalHeight !== prev.totalHeight) range.value = next;
          if (scrolling.peek() !== changed.isScrolling) scrolling.value = changed.isScrolling;
        },
      });
      virtualizer = instance;
      const unmount = instance._didMount();
      instance._willUpdate();
      range.value = computeWindow({ count, rowHeight, scrollTop: scrollElement.scrollTop, viewportHeight: scrollElement.clientHeight, overscan });
      return () => {
        unmount();
        if (virtualizer === instance) virtualizer = undefined;
        element = undefined;
      };
    },
    /** Scrolls so row `index` is near the top, and highlights it. */
    scrollToIndex(index: number): void {
      activeIndex.value = index;
      if (element === undefined) return;
      const offset = scrollOffsetForIndex(index, { count, rowHeight, viewportHeight: element.clientHeight });
      if (virtualizer !== undefined) virtualizer.scrollToOffset(offset);
      else element.scrollTop = offset;
    },
    scrollToTime(t: number): void {
      const index = indexAtTime(items, t);
      if (index >= 0) this.scrollToIndex(index);
    },
    /** Scrolls only as far as needed to show row `index` (keyboard navigation). */
    reveal(index: number): void {
      if (element === undefined) return;
      const top = index * rowHeight;
      const bottom = top + rowHeight;
      let offset = element.scrollTop;
      if (top < offset) offset = top;
      else if (bottom > offset + element.clientHeight) offset = bottom - element.clientHeight;
      if (offset === element.scrollTop) return;
      if (virtualizer !== undefined) virtualizer.scrollToOffset(offset);
      else element.scrollTop = offset;
    },
    /** Follows the play head without scrolling (used while playing). */
    markTime(t: number): void {
      const index = indexAtTime(items, t);
      if (index !== activeIndex.peek()) activeIndex.value = index;
    },
  };
}
export type TimelineModel = ReturnType<typeof createTimelineModel>;
