/*
 * stint-jsc-host: runs scripts in a bare JavaScriptCore context with the Stint
 * host port installed natively as the global `__stintHost`.
 *
 *   stint-jsc-host [--root DIR] [--timeout-ms N] [--config JSON]
 *                  [--anthropic-url URL] [--openai-url URL] script.js…
 *
 * Test harness globals (not part of the host port): `__done(code, json)` ends
 * the run, `__loadScript(path)` evaluates another file, `__hostConfig` is the
 * parsed --config, `__hostTimes.contextCreatedMs` is on the clock.elapsed()
 * scale. Output lines on stdout: `LOG {…}`, `EVENT {…}`, `CONSOLE level text`,
 * `UNCAUGHT where: message`, and finally `DONE code json`.
 */
#include "host.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Host host;

/* ---------- helpers shared by the capabilities ---------- */

JSCValue *arg(GPtrArray *args, guint index) {
  return index < args->len ? g_ptr_array_index(args, index) : NULL;
}

char *arg_string(GPtrArray *args, guint index) {
  JSCValue *value = arg(args, index);
  return value != NULL && jsc_value_is_string(value) ? jsc_value_to_string(value) : NULL;
}

gboolean bytes_of(JSCValue *value, const guint8 **data, gsize *length) {
  if (value == NULL) return FALSE;
  if (jsc_value_is_typed_array(value)) {
    gsize elements = 0;
    *data = jsc_value_typed_array_get_data(value, &elements);
    *length = jsc_value_typed_array_get_size(value);
    return TRUE;
  }
  if (jsc_value_is_array_buffer(value)) {
    *data = jsc_value_array_buffer_get_data(value, length);
    return TRUE;
  }
  return FALSE;
}

JSCValue *new_bytes(const guint8 *data, gsize length) {
  JSCValue *array = jsc_value_new_typed_array(host.context, JSC_TYPED_ARRAY_UINT8, length);
  if (length > 0) {
    gsize elements = 0;
    guint8 *target = jsc_value_typed_array_get_data(array, &elements);
    memcpy(target, data, length);
  }
  return array;
}

void set_fn(JSCValue *object, const char *name, NativeFn fn, gpointer data) {
  JSCValue *f = jsc_value_new_function_variadic(host.context, name, G_CALLBACK(fn), data, NULL, JSC_TYPE_VALUE);
  jsc_value_object_set_property(object, name, f);
  g_object_unref(f);
}

void set_void_fn(JSCValue *object, const char *name, void (*fn)(GPtrArray *, gpointer), gpointer data) {
  JSCValue *f = jsc_value_new_function_variadic(host.context, name, G_CALLBACK(fn), data, NULL, G_TYPE_NONE);
  jsc_value_object_set_property(object, name, f);
  g_object_unref(f);
}

void report_exception(const char *where) {
  JSCException *exception = jsc_context_get_exception(host.context);
  if (exception == NULL) return;
  char *report = jsc_exception_report(exception);
  printf("UNCAUGHT %s: %s\n", where, report);
  fflush(stdout);
  g_free(report);
  host.uncaught++;
  jsc_context_clear_exception(host.context);
}

JSCValue *make_error(const char *code, const char *message) {
  JSCValue *error = jsc_value_constructor_call(host.error_ctor, G_TYPE_STRING, message, G_TYPE_NONE);
  JSCValue *code_value = jsc_value_new_string(host.context, code);
  jsc_value_object_set_property(error, "code", code_value);
  g_object_unref(code_value);
  return error;
}

static void capture_pending(JSCValue *resolve, JSCValue *reject, gpointer data) {
  Pending *pending = data;
  pending->resolve = g_object_ref(resolve);
  pending->reject = g_object_ref(reject);
}

JSCValue *new_promise(Pending *pending) {
  return jsc_value_new_promise(host.context, capture_pending, pending);
}

static void settle(Pending *pending, gboolean ok, JSCValue *value) {
  JSCValue *target = ok ? pending->resolve : pending->reject;
  if (target == NULL) {
    g_object_unref(value);
    return;
  }
  JSCValue *result = jsc_value_function_call(target, JSC_TYPE_VALUE, value, G_TYPE_NONE);
  if (result != NULL) g_object_unref(result);
  report_exception(ok ? "promise resolve" : "promise reject");
  g_object_unref(value);
  g_clear_object(&pending->resolve);
  g_clear_object(&pending->reject);
}

void settle_resolve(Pending *pending, JSCValue *value) {
  settle(pending, TRUE, value != NULL ? value : jsc_value_new_undefined(host.context));
}

void settle_reject(Pending *pending, const char *code, const char *message) {
  settle(pending, FALSE, make_error(code, message));
}

void print_json_line(const char *prefix, JSCValue *value) {
  char *json = jsc_value_to_json(value, 0);
  printf("%s %s\n", prefix, json != NULL ? json : "null");
  fflush(stdout);
  g_free(json);
}

/* ---------- console, log, emit, clock, secrets ---------- */

static void console_write(GPtrArray *args, gpointer data) {
  GString *line = g_string_new(NULL);
  for (guint i = 0; i < args->len; i++) {
    JSCValue *value = g_ptr_array_index(args, i);
    char *text = NULL;
    if (jsc_value_is_string(value) || jsc_value_is_undefined(value) || jsc_value_is_function(value)) text = jsc_value_to_string(value);
    else {
      text = jsc_value_to_json(value, 0);
      if (text == NULL) {
        jsc_context_clear_exception(host.context);
        text = jsc_value_to_string(value);
      }
      /* Errors serialise as {}; their string form is what a reader wants. */
      if (text != NULL && strcmp(text, "{}") == 0 && jsc_value_object_is_instance_of(value, "Error")) {
        g_free(text);
        text = jsc_value_to_string(value);
      }
    }
    if (i > 0) g_string_append_c(line, ' ');
    g_string_append(line, text != NULL ? text : "?");
    g_free(text);
  }
  printf("CONSOLE %s %s\n", (const char *)data, line->str);
  fflush(stdout);
  g_string_free(line, TRUE);
}

static void install_console(void) {
  JSCValue *console = jsc_value_new_object(host.context, NULL, NULL);
  static const char *levels[] = {"log", "info", "warn", "error", "debug", "trace"};
  for (guint i = 0; i < G_N_ELEMENTS(levels); i++) set_void_fn(console, levels[i], console_write, (gpointer)levels[i]);
  jsc_context_set_value(host.context, "console", console);
  g_object_unref(console);
}

static void log_write(GPtrArray *args, gpointer data) {
  (void)data;
  JSCValue *line = jsc_value_new_object(host.context, NULL, NULL);
  static const char *keys[] = {"level", "message", "data"};
  for (guint i = 0; i < 3 && i < args->len; i++) jsc_value_object_set_property(line, keys[i], g_ptr_array_index(args, i));
  print_json_line("LOG", line);
  g_object_unref(line);
}

static void emit_event(GPtrArray *args, gpointer data) {
  (void)data;
  JSCValue *event = arg(args, 0);
  if (event != NULL) print_json_line("EVENT", event);
}

static JSCValue *clock_now(GPtrArray *args, gpointer data) {
  (void)args, (void)data;
  return jsc_value_new_number(host.context, (double)g_get_real_time() / 1000.0);
}

static JSCValue *clock_elapsed(GPtrArray *args, gpointer data) {
  (void)args, (void)data;
  return jsc_value_new_number(host.context, (double)(g_get_monotonic_time() - host.origin_us) / 1000.0);
}

static JSCValue *secrets_get(GPtrArray *args, gpointer data) {
  (void)data;
  Pending *pending = g_new0(Pending, 1);
  JSCValue *promise = new_promise(pending);
  char *name = arg_string(args, 0);
  const char *value = NULL;
  if (name != NULL && (strcmp(name, "ANTHROPIC_API_KEY") == 0 || strcmp(name, "OPENAI_API_KEY") == 0)) value = g_getenv(name);
  settle_resolve(pending, value != NULL && *value != '\0' ? jsc_value_new_string(host.context, value) : NULL);
  g_free(pending);
  g_free(name);
  return promise;
}

static void set_string(JSCValue *object, const char *name, const char *text) {
  JSCValue *value = jsc_value_new_string(host.context, text);
  jsc_value_object_set_property(object, name, value);
  g_object_unref(value);
}

static void set_object(JSCValue *object, const char *name, JSCValue *value) {
  jsc_value_object_set_property(object, name, value);
  g_object_unref(value);
}

static JSCValue *build_port(void) {
  JSCValue *port = jsc_value_new_object(host.context, NULL, NULL);
  JSCValue *info = jsc_value_new_object(host.context, NULL, NULL);
  set_string(info, "name", "jsc-test");
  set_string(info, "version", "1");
  set_string(info, "platform", "linux");
  set_object(info, "nativeHash", jsc_value_new_boolean(host.context, TRUE));
  if (host.anthropic_url != NULL || host.openai_url != NULL) {
    JSCValue *urls = jsc_value_new_object(host.context, NULL, NULL);
    if (host.anthropic_url != NULL) set_string(urls, "anthropic", host.anthropic_url);
    if (host.openai_url != NULL) set_string(urls, "openai", host.openai_url);
    set_object(info, "providerBaseUrls", urls);
  }
  set_object(port, "info", info);

  JSCValue *clock = jsc_value_new_object(host.context, NULL, NULL);
  set_fn(clock, "now", clock_now, NULL);
  set_fn(clock, "elapsed", clock_elapsed, NULL);
  set_object(port, "clock", clock);
  set_object(port, "timers", timers_install());
  set_object(port, "files", files_install());
  set_object(port, "crypto", crypto_install());
  set_object(port, "http", http_install());
  set_object(port, "lock", lock_install());

  JSCValue *secrets = jsc_value_new_object(host.context, NULL, NULL);
  set_fn(secrets, "get", secrets_get, NULL);
  set_object(port, "secrets", secrets);

  JSCValue *log = jsc_value_new_object(host.context, NULL, NULL);
  set_void_fn(log, "write", log_write, NULL);
  set_object(port, "log", log);
  set_void_fn(port, "emit", emit_event, NULL);
  return port;
}

/* ---------- harness globals ---------- */

static void finish(int code, const char *json) {
  if (host.done) return;
  host.done = TRUE;
  host.exit_code = code;
  printf("DONE %d %s\n", code, json != NULL ? json : "null");
  fflush(stdout);
  g_main_loop_quit(host.loop);
}

static void done_fn(GPtrArray *args, gpointer data) {
  (void)data;
  JSCValue *code = arg(args, 0);
  char *json = arg_string(args, 1);
  finish(code != NULL && jsc_value_is_number(code) ? jsc_value_to_int32(code) : 1, json);
  g_free(json);
}

/* Evaluates a file; returns FALSE (exception left in the context) on failure. */
static gboolean evaluate_file(const char *path, char **error_message) {
  char *source = NULL;
  gsize length = 0;
  GError *error = NULL;
  if (!g_file_get_contents(path, &source, &length, &error)) {
    *error_message = g_strdup(error->message);
    g_error_free(error);
    return FALSE;
  }
  char *uri = g_filename_to_uri(path, NULL, NULL);
  JSCValue *result = jsc_context_evaluate_with_source_uri(host.context, source, (gssize)length, uri != NULL ? uri : path, 1);
  g_free(uri);
  g_free(source);
  if (result != NULL) g_object_unref(result);
  return TRUE;
}

static void load_script_fn(GPtrArray *args, gpointer data) {
  (void)data;
  char *path = arg_string(args, 0);
  char *message = NULL;
  if (path == NULL) jsc_context_throw(host.context, "__loadScript(path): path must be a string");
  else if (!evaluate_file(path, &message)) {
    jsc_context_throw(host.context, message);
    g_free(message);
  } else {
    JSCException *exception = jsc_context_get_exception(host.context);
    if (exception != NULL) {
      g_object_ref(exception);
      jsc_context_clear_exception(host.context);
      jsc_context_throw_exception(host.context, exception);
      g_object_unref(exception);
    }
  }
  g_free(path);
}

/* What a macOS JSContext offers beyond the language itself: only console. */
static const char *LANGUAGE_GLOBALS[] = {
  "AggregateError", "Array", "ArrayBuffer", "Atomics", "BigInt", "BigInt64Array", "BigUint64Array", "Boolean",
  "DataView", "Date", "Error", "EvalError", "FinalizationRegistry", "Float16Array", "Float32Array", "Float64Array",
  "Function", "Infinity", "Int16Array", "Int32Array", "Int8Array", "Intl", "Iterator", "JSON", "Map", "Math", "NaN",
  "Number", "Object", "Promise", "Proxy", "RangeError", "ReferenceError", "Reflect", "RegExp", "Set",
  "SharedArrayBuffer", "String", "Symbol", "SyntaxError", "TypeError", "URIError", "Uint16Array", "Uint32Array",
  "Uint8Array", "Uint8ClampedArray", "WeakMap", "WeakRef", "WeakSet", "WebAssembly", "decodeURI",
  "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "eval", "globalThis", "isFinite", "isNaN",
  "parseFloat", "parseInt", "undefined", "unescape", "console", NULL};

static void strip_globals(void) {
  JSCValue *names = jsc_context_evaluate(host.context, "Object.getOwnPropertyNames(globalThis)", -1);
  JSCValue *length_value = jsc_value_object_get_property(names, "length");
  int length = jsc_value_to_int32(length_value);
  g_object_unref(length_value);
  JSCValue *global = jsc_context_get_global_object(host.context);
  for (int i = 0; i < length; i++) {
    JSCValue *name_value = jsc_value_object_get_property_at_index(names, (guint)i);
    char *name = jsc_value_to_string(name_value);
    if (!g_strv_contains(LANGUAGE_GLOBALS, name)) {
      jsc_value_object_delete_property(global, name);
      printf("CONSOLE debug removed global %s\n", name);
    }
    g_free(name);
    g_object_unref(name_value);
  }
  g_object_unref(global);
  g_object_unref(names);
}

static gboolean wall_cap(gpointer data) {
  (void)data;
  finish(124, "{\"error\":\"wall-clock cap reached\"}");
  return G_SOURCE_REMOVE;
}

static int usage(void) {
  fprintf(stderr, "usage: stint-jsc-host [--root DIR] [--timeout-ms N] [--config JSON] [--anthropic-url URL] [--openai-url URL] script.js...\n");
  return 2;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  host.origin_us = g_get_monotonic_time();
  const char *config = "{}";
  guint timeout_ms = 60000;
  GPtrArray *scripts = g_ptr_array_new();
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    gboolean has_value = i + 1 < argc;
    if (strcmp(a, "--root") == 0 && has_value) host.root = g_strdup(argv[++i]);
    else if (strcmp(a, "--timeout-ms") == 0 && has_value) timeout_ms = (guint)atoi(argv[++i]);
    else if (strcmp(a, "--config") == 0 && has_value) config = argv[++i];
    else if (strcmp(a, "--anthropic-url") == 0 && has_value) host.anthropic_url = g_strdup(argv[++i]);
    else if (strcmp(a, "--openai-url") == 0 && has_value) host.openai_url = g_strdup(argv[++i]);
    else if (a[0] == '-') return usage();
    else g_ptr_array_add(scripts, (gpointer)a);
  }
  if (scripts->len == 0) return usage();
  if (host.root == NULL) {
    GError *error = NULL;
    host.root = g_dir_make_tmp("stint-jsc-XXXXXX", &error);
    host.root_is_temp = TRUE;
    if (host.root == NULL) {
      fprintf(stderr, "cannot create a root directory: %s\n", error->message);
      return 2;
    }
  } else if (g_mkdir_with_parents(host.root, 0700) != 0) {
    /* Like the Node host and the Mac app, the host makes its data folder: the owner lock lives in it. */
    fprintf(stderr, "cannot create the root directory %s: %s\n", host.root, g_strerror(errno));
    return 2;
  }

  host.loop = g_main_loop_new(NULL, FALSE);
  host.context_created_us = g_get_monotonic_time();
  host.context = jsc_context_new();
  strip_globals();
  install_console();
  host.error_ctor = jsc_context_get_value(host.context, "Error");

  JSCValue *port = build_port();
  jsc_context_set_value(host.context, "__stintHost", port);
  g_object_unref(port);
  JSCValue *global = jsc_context_get_global_object(host.context);
  set_void_fn(global, "__done", done_fn, NULL);
  set_void_fn(global, "__loadScript", load_script_fn, NULL);
  g_object_unref(global);
  JSCValue *config_value = jsc_value_new_from_json(host.context, config);
  if (config_value == NULL || jsc_context_get_exception(host.context) != NULL) {
    report_exception("--config");
    return 2;
  }
  jsc_context_set_value(host.context, "__hostConfig", config_value);
  g_object_unref(config_value);
  char times[128];
  g_snprintf(times, sizeof times, "globalThis.__hostTimes = { contextCreatedMs: %.3f }", (double)(host.context_created_us - host.origin_us) / 1000.0);
  JSCValue *ignored = jsc_context_evaluate(host.context, times, -1);
  g_object_unref(ignored);

  g_timeout_add(timeout_ms, wall_cap, NULL);
  for (guint i = 0; i < scripts->len && !host.done; i++) {
    char *message = NULL;
    const char *path = g_ptr_array_index(scripts, i);
    if (!evaluate_file(path, &message)) {
      fprintf(stderr, "cannot read %s: %s\n", path, message);
      return 2;
    }
    if (jsc_context_get_exception(host.context) != NULL) {
      report_exception(path);
      finish(1, "{\"error\":\"script threw at top level\"}");
    }
  }
  if (!host.done) g_main_loop_run(host.loop);
  if (host.root_is_temp) files_remove_tree(host.root);
  return host.exit_code;
}
