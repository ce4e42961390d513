/*
 * timers.setTimeout/clearTimeout on the GLib main loop. GLib dispatches every
 * ready source in attach order, which would break deadline order when the
 * loop falls behind; so one source fires the earliest timer at a time, ties
 * broken by call order, and microtasks run between timers.
 */
#include "host.h"

typedef struct {
  guint id;
  gint64 deadline_us;
  guint64 seq;
  JSCValue *callback;
} Timer;

static GSequence *queue;      /* Timer*, sorted by (deadline, seq) */
static GHashTable *by_id;     /* id → GSequenceIter* */
static GSource *source;
static guint next_id = 1;
static guint64 next_seq = 1;

static gint compare(gconstpointer a, gconstpointer b, gpointer data) {
  (void)data;
  const Timer *x = a, *y = b;
  if (x->deadline_us != y->deadline_us) return x->deadline_us < y->deadline_us ? -1 : 1;
  return x->seq < y->seq ? -1 : (x->seq > y->seq ? 1 : 0);
}

static void free_timer(gpointer data) {
  Timer *timer = data;
  g_clear_object(&timer->callback);
  g_free(timer);
}

static void rearm(void) {
  GSequenceIter *first = g_sequence_get_begin_iter(queue);
  if (g_sequence_iter_is_end(first)) g_source_set_ready_time(source, -1);
  else g_source_set_ready_time(source, ((Timer *)g_sequence_get(first))->deadline_us);
}

static gboolean dispatch(GSource *s, GSourceFunc callback, gpointer data) {
  (void)s, (void)callback, (void)data;
  GSequenceIter *first = g_sequence_get_begin_iter(queue);
  if (!g_sequence_iter_is_end(first)) {
    Timer *timer = g_sequence_get(first);
    if (timer->deadline_us <= g_get_monotonic_time()) {
      JSCValue *callback_value = g_object_ref(timer->callback);
      g_hash_table_remove(by_id, GUINT_TO_POINTER(timer->id));
      g_sequence_remove(first);
      JSCValue *result = jsc_value_function_call(callback_value, G_TYPE_NONE);
      if (result != NULL) g_object_unref(result);
      report_exception("timer callback");
      g_object_unref(callback_value);
    }
  }
  rearm();
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs funcs = {NULL, NULL, dispatch, NULL, NULL, NULL};

static JSCValue *set_timeout(GPtrArray *args, gpointer data) {
  (void)data;
  JSCValue *callback = arg(args, 0);
  if (callback == NULL || !jsc_value_is_function(callback)) {
    jsc_context_throw_with_name(host.context, "TypeError", "timers.setTimeout: callback must be a function");
    return jsc_value_new_undefined(host.context);
  }
  JSCValue *ms_value = arg(args, 1);
  double ms = ms_value != NULL && jsc_value_is_number(ms_value) ? jsc_value_to_double(ms_value) : 0;
  if (!(ms > 0)) ms = 0; /* NaN and negatives mean "as soon as possible" */
  if (ms > 2147483647.0) ms = 2147483647.0;
  Timer *timer = g_new0(Timer, 1);
  timer->id = next_id++;
  timer->seq = next_seq++;
  timer->deadline_us = g_get_monotonic_time() + (gint64)(ms * 1000.0);
  timer->callback = g_object_ref(callback);
  GSequenceIter *iter = g_sequence_insert_sorted(queue, timer, compare, NULL);
  g_hash_table_insert(by_id, GUINT_TO_POINTER(timer->id), iter);
  rearm();
  return jsc_value_new_number(host.context, timer->id);
}

static void clear_timeout(GPtrArray *args, gpointer data) {
  (void)data;
  JSCValue *id_value = arg(args, 0);
  if (id_value == NULL || !jsc_value_is_number(id_value)) return;
  double id = jsc_value_to_double(id_value);
  if (!(id >= 1 && id < 4294967295.0)) return;
  GSequenceIter *iter = g_hash_table_lookup(by_id, GUINT_TO_POINTER((guint)id));
  if (iter == NULL) return;
  g_hash_table_remove(by_id, GUINT_TO_POINTER((guint)id));
  g_sequence_remove(iter);
  rearm();
}

JSCValue *timers_install(void) {
  queue = g_sequence_new(free_timer);
  by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
  source = g_source_new(&funcs, sizeof(GSource));
  g_source_set_ready_time(source, -1);
  g_source_attach(source, NULL);
  JSCValue *timers = jsc_value_new_object(host.context, NULL, NULL);
  set_fn(timers, "setTimeout", set_timeout, NULL);
  set_void_fn(timers, "clearTimeout", clear_timeout, NULL);
  return timers;
}
