/*
 * lock.tryLock(path): the data folder's one-writer lock, `flock(LOCK_EX | LOCK_NB)`
 * on `open(path, O_RDWR | O_CREAT, 0600)`, the same call the Mac app and Node
 * (fs-ext) make, so every kind of owner excludes every other.
 *
 * The lock belongs to the process: a second tryLock of a path this process
 * already holds gets another handle, and the file is unlocked and closed when
 * the last handle is released. flock never blocks here (LOCK_NB), so it runs on
 * the main loop's thread and the promise settles at once.
 */
#define _GNU_SOURCE
#include "host.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

typedef struct {
  int fd;
  int handles;
} Held;

/* One per handle given out; kept for the life of the process so a late release() stays safe. */
typedef struct {
  char *path;
  gboolean released;
} Handle;

static GHashTable *held_locks; /* absolute path -> Held* */

static char *absolute_path(const char *path) {
  char **segments = g_strsplit(path, "/", -1);
  gboolean climbs = FALSE;
  for (char **s = segments; *s != NULL; s++) if (strcmp(*s, "..") == 0) climbs = TRUE;
  g_strfreev(segments);
  if (climbs || path[0] == '\0') return NULL;
  return g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(host.root, path, NULL);
}

static JSCValue *resolved(JSCValue *value) {
  Pending pending = {0};
  JSCValue *promise = new_promise(&pending);
  settle_resolve(&pending, value);
  return promise;
}

static JSCValue *rejected(const char *code, const char *message) {
  Pending pending = {0};
  JSCValue *promise = new_promise(&pending);
  settle_reject(&pending, code, message);
  return promise;
}

static JSCValue *release_handle(GPtrArray *args, gpointer data) {
  (void)args;
  Handle *handle = data;
  if (!handle->released) {
    handle->released = TRUE;
    Held *entry = g_hash_table_lookup(held_locks, handle->path);
    if (entry != NULL && --entry->handles == 0) {
      flock(entry->fd, LOCK_UN);
      close(entry->fd);
      g_hash_table_remove(held_locks, handle->path);
    }
  }
  return resolved(NULL);
}

static JSCValue *new_handle(const char *path) {
  Handle *handle = g_new0(Handle, 1);
  handle->path = g_strdup(path);
  JSCValue *object = jsc_value_new_object(host.context, NULL, NULL);
  set_fn(object, "release", release_handle, handle);
  return object;
}

static JSCValue *try_lock(GPtrArray *args, gpointer data) {
  (void)data;
  char *path = arg_string(args, 0);
  char *absolute = path != NULL ? absolute_path(path) : NULL;
  g_free(path);
  if (absolute == NULL) return rejected("EINVAL", "lock path must be a non-empty string without \"..\"");
  Held *entry = g_hash_table_lookup(held_locks, absolute);
  if (entry != NULL) {
    entry->handles++;
    JSCValue *promise = resolved(new_handle(absolute));
    g_free(absolute);
    return promise;
  }
  int fd = open(absolute, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    char *message = g_strdup_printf("%s: %s", absolute, g_strerror(err));
    JSCValue *promise = rejected(err == EROFS ? "EROFS" : err == EACCES ? "EACCES" : err == ENOENT ? "ENOENT" : "EIO", message);
    g_free(message);
    g_free(absolute);
    return promise;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    g_free(absolute);
    if (err == EWOULDBLOCK) return resolved(NULL); /* another process holds it */
    char *message = g_strdup_printf("flock: %s", g_strerror(err));
    JSCValue *promise = rejected("EIO", message);
    g_free(message);
    return promise;
  }
  entry = g_new0(Held, 1);
  entry->fd = fd;
  entry->handles = 1;
  g_hash_table_insert(held_locks, g_strdup(absolute), entry);
  JSCValue *promise = resolved(new_handle(absolute));
  g_free(absolute);
  return promise;
}

JSCValue *lock_install(void) {
  if (held_locks == NULL) held_locks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  JSCValue *lock = jsc_value_new_object(host.context, NULL, NULL);
  set_fn(lock, "tryLock", try_lock, NULL);
  return lock;
}
