import type { ToastModel } from "../models/toast-model.ts";

/** The toasts, announced politely; an action (Undo) is a real button. */
export function Toasts({ model }: { readonly model: ToastModel }) {
  const toasts = model.toasts.value;
  return (
    <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
      {toasts.map((toast) => (
        <div key={toast.id} class={`toast toast-${toast.tone ?? "info"}`} data-testid="toast">
          <span>{toast.text}</span>
          {toast.action !== undefined && (
            <button type="button" class="link toast-action" onClick={() => void model.act(toast)} data-testid="toast-action">
              {toast.action.label}
            </button>
          )}
          <button type="button" class="link toast-close" onClick={() => model.dismiss(toast.id)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
