import { signal } from "@preact/signals";

export interface Toast {
  readonly id: number;
  readonly text: string;
  readonly tone?: "info" | "error";
  /** One action, e.g. Undo; running it dismisses the toast. */
  readonly action?: { readonly label: string; readonly run: () => void | Promise<void> };
}

/** Short notices at the bottom of the panel: shown a few seconds, longer when they carry an action. */
export function createToastModel(options: { readonly ms?: number; readonly actionMs?: number } = {}) {
  const toasts = signal<readonly Toast[]>([]);
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  function dismiss(id: number): void {
    clearTimeout(timers.get(id));
    timers.delete(id);
    toasts.value = toasts.peek().filter((t) => t.id !== id);
  }
  return {
    toasts,
    dismiss,
    /** Shows a toast; returns its id (to replace it, e.g. "Saving…" → "Saved"). */
    show(toast: Omit<Toast, "id">, replaces?: number): number {
      if (replaces !== undefined) dismiss(replaces);
      const id = next++;
      // At most three at once; the oldest goes.
      toasts.value = [...toasts.peek().slice(-2), { ...toast, id }];
      timers.set(id, setTimeout(() => dismiss(id), toast.action === undefined ? (options.ms ?? 4_000) : (options.actionMs ?? 8_000)));
      return id;
    },
    async act(toast: Toast): Promise<void> {
      dismiss(toast.id);
      await toast.action?.run();
    },
    dispose(): void {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
export type ToastModel = ReturnType<typeof createToastModel>;
