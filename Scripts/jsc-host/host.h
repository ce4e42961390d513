/*
 * The JavaScriptCore test host: a stand-in for the Mac app's Swift EngineHost.
 * It builds a bare JSCContext (no timers, fetch, TextEncoder, URL…), installs
 * the host port natively and runs scripts on a GLib main loop.
 *
 * Threading mirrors what the Swift host is expected to do: every JavaScript
 * call happens on the main loop's thread; file and hash work runs on one
 * serial worker (so operations complete in the order they were issued) and
 * promises settle back on the main loop.
 */
#ifndef STINT_JSC_HOST_H
#define STINT_JSC_HOST_H

#include <glib.h>
#include <jsc/jsc.h>

typedef struct {
  JSCContext *context;
  GMainLoop *loop;
  char *root;             /* data directory; relative paths resolve here */
  gboolean root_is_temp;  /* created by the host; removed at exit */
  JSCValue *error_ctor;   /* the context's original Error constructor */
  gint64 origin_us;       /* monotonic origin of clock.elapsed() */
  gint64 context_created_us;
  int exit_code;
  gboolean done;
  char *anthropic_url;
  char *openai_url;
  int uncaught;           /* exceptions reported from callbacks */
} Host;

extern Host host;

/* Promise plumbing: a pending settle holds the resolve/reject functions. */
typedef struct {
  JSCValue *resolve;
  JSCValue *reject;
} Pending;

JSCValue *new_promise(Pending *pending);
void settle_resolve(Pending *pending, JSCValue *value); /* takes ownership of value */
void settle_reject(Pending *pending, const char *code, const char *message);
JSCValue *make_error(const char *code, const char *message);
void report_exception(const char *where);

/* Helpers for building the port object. */
typedef JSCValue *(*NativeFn)(GPtrArray *args, gpointer data);
void set_fn(JSCValue *object, const char *name, NativeFn fn, gpointer data);
void set_void_fn(JSCValue *object, const char *name, void (*fn)(GPtrArray *args, gpointer data), gpointer data);
JSCValue *arg(GPtrArray *args, guint index);
char *arg_string(GPtrArray *args, guint index); /* NULL when absent or not a string */
gboolean bytes_of(JSCValue *value, const guint8 **data, gsize *length);
JSCValue *new_bytes(const guint8 *data, gsize length);
void print_json_line(const char *prefix, JSCValue *value);

/* Capabilities. */
JSCValue *timers_install(void);
JSCValue *files_install(void);
JSCValue *crypto_install(void);
JSCValue *http_install(void);
JSCValue *lock_install(void);
char *sha256_hex(const guint8 *data, gsize length);
void files_remove_tree(const char *path);
JSCValue *files_sha256_file(GPtrArray *args, gpointer data);

/* The serial worker for blocking work. `work` runs off the main thread; `done` back on it. */
typedef struct Job Job;
typedef void (*JobWork)(Job *job);
typedef void (*JobDone)(Job *job);
struct Job {
  JobWork work;
  JobDone done;
  Pending pending;
  char *path;
  char *path2;
  guint8 *bytes;
  gsize length;
  gboolean flag;
  /* results */
  const char *err_code;
  char *err_message;
  guint8 *out;
  gsize out_length;
  char **names;
  char *hex;
  gint64 size;
  double number;
  double number2;
  int kind; /* stat: 0 missing, 1 file, 2 directory */
};
void job_submit(Job *job);
void job_fail_errno(Job *job, int err, const char *what);
void job_fail(Job *job, const char *code, const char *message);

#endif
