/*
 * files.* on the data directory with POSIX calls, run on the serial worker.
 * writeAtomic follows the durability recipe: temporary sibling, write, fsync,
 * read back and verify size and SHA-256, rename, fsync the directory.
 */
#define _GNU_SOURCE
#include "host.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Relative paths resolve against the root ("" is the root), absolute ones are used as given, `..` is refused. */
static char *resolve(Job *job, const char *path) {
  char **segments = g_strsplit(path, "/", -1);
  gboolean climbs = FALSE;
  for (char **s = segments; *s != NULL; s++) if (strcmp(*s, "..") == 0) climbs = TRUE;
  g_strfreev(segments);
  if (climbs) {
    char *message = g_strdup_printf("path may not contain \"..\": %s", path);
    job_fail(job, "EINVAL", message);
    g_free(message);
    return NULL;
  }
  return g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(host.root, path, NULL);
}

static gboolean write_all(int fd, const guint8 *data, gsize length) {
  while (length > 0) {
    ssize_t n = write(fd, data, length);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FALSE;
    }
    data += n;
    length -= (gsize)n;
  }
  return TRUE;
}

static int fsync_path(const char *path, gboolean directory) {
  int fd = open(path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

static gboolean mkdirp(Job *job, const char *absolute) {
  if (g_mkdir_with_parents(absolute, 0755) != 0) {
    job_fail_errno(job, errno, absolute);
    return FALSE;
  }
  return TRUE;
}

/* Streams a file through SHA-256. */
static gboolean hash_file(Job *job, const char *absolute, gint64 *size, char **hex) {
  int fd = open(absolute, O_RDONLY);
  if (fd < 0) {
    job_fail_errno(job, errno, absolute);
    return FALSE;
  }
  GChecksum *checksum = g_checksum_new(G_CHECKSUM_SHA256);
  guint8 buffer[65536];
  gint64 total = 0;
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      job_fail_errno(job, errno, absolute);
      break;
    }
    if (n == 0) break;
    g_checksum_update(checksum, buffer, n);
    total += n;
  }
  close(fd);
  if (job->err_code == NULL) {
    *size = total;
    *hex = g_strdup(g_checksum_get_string(checksum));
  }
  g_checksum_free(checksum);
  return job->err_code == NULL;
}

static void work_read(Job *job) {
  char *absolute = resolve(job, job->path);
  if (absolute == NULL) return;
  GError *error = NULL;
  char *contents = NULL;
  struct stat st;
  if (stat(absolute, &st) == 0 && S_ISDIR(st.st_mode)) job_fail_errno(job, EISDIR, absolute);
  else if (!g_file_get_contents(absolute, &contents, &job->out_length, &error)) {
    job_fail_errno(job, error->domain == G_FILE_ERROR && error->code == G_FILE_ERROR_NOENT ? ENOENT : errno ? errno : EIO, absolute);
    g_error_free(error);
  } else job->out = (guint8 *)contents;
  g_free(absolute);
}

static int temp_counter;

static void work_write_atomic(Job *job) {
  char *absolute = resolve(job, job->path);
  if (absolute == NULL) return;
  char *directory = g_path_get_dirname(absolute);
  char *temp = g_strdup_printf("%s.tmp-%d-%d", absolute, (int)getpid(), g_atomic_int_add(&temp_counter, 1));
  char *expected = sha256_hex(job->bytes, job->length);
  gboolean temp_made = FALSE;
  if (mkdirp(job, directory)) {
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) job_fail_errno(job, errno, temp);
    else {
      temp_made = TRUE;
      if (!write_all(fd, job->bytes, job->length) || fsync(fd) != 0) job_fail_errno(job, errno, temp);
      if (close(fd) != 0) job_fail_errno(job, errno, temp);
    }
  }
  /* Read back before publishing: a write that silently failed must not be renamed into place. */
  gint64 size = 0;
  char *actual = NULL;
  if (job->err_code == NULL && hash_file(job, temp, &size, &actual)) {
    if (size != (gint64)job->length || strcmp(actual, expected) != 0) job_fail(job, "EIO", "verification failed after writing");
  }
  if (job->err_code == NULL && rename(temp, absolute) != 0) job_fail_errno(job, errno, absolute);
  if (job->err_code == NULL && job->flag && fsync_path(directory, TRUE) != 0) job_fail_errno(job, errno, directory);
  if (job->err_code != NULL && temp_made) unlink(temp);
  if (job->err_code == NULL) {
    job->size = size;
    job->hex = g_strdup(actual);
  }
  g_free(actual);
  g_free(expected);
  g_free(temp);
  g_free(directory);
  g_free(absolute);
}

static void work_append(Job *job) {
  char *absolute = resolve(job, job->path);
  if (absolute == NULL) return;
  int fd = open(absolute, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) job_fail_errno(job, errno, absolute);
  else {
    if (!write_all(fd, job->bytes, job->length) || fsync(fd) != 0) job_fail_errno(job, errno, absolute);
    close(fd);
  }
  g_free(absolute);
}

static void work_flush_dir(Job *job) {
  char *absolute = resolve(job, job->path);
  if (absolute != NULL && fsync_path(absolute, TRUE) != 0) job_fail_errno(job, errno, absolute);
  g_free(absolute);
}

static gint compare_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void work_list(Job *job) {
  char *absolute = resolve(job, job->path);
  if (absolute == NULL) return;
  GError *error = NULL;
  struct stat st;
  if (stat(absolute, &st) != 0) job_fail_errno(job, errno, absolute);
  else if (!S_ISDIR(st.st_mode)) job_fail_errno(job, ENOTDIR, absolute);
  else {
    GDir *dir = g_dir_open(absolute, 0, &error);
    if (dir == NULL) {
      job_fail_errno(job, EIO, error->message);
      g_error_free(error);
    } else {
      GPtrArray *names = g_ptr_array_new();
      const char *name;
      while ((name = g_dir_read_name(dir)) != NULL) g_ptr_array_add(names, g_strdup(name));
      g_ptr_array_sort(names, compare_names);
      g_ptr_array_add(names, NULL);
      job->names = (char **)g_ptr_array_free(names, FALSE);
      g_dir_close(dir);
    }
  }
  g_free(absolute);
}

static void work_stat(Job *job) {
  char *absolute = resolve(job, job->path);
  if (absolute == NULL) return;
  struct stat st;
  if (stat(absolute, &st) != 0) {
    if (errno == ENOENT) job->kind = 0;
    else job_fail_errno(job, errno, absolute);
  } else {
    job->kind = S_ISDIR(st.st_mode) ? 2 : 1;
    job->size = st.st_size;
    job->number = (double)st.st_mtim.tv_sec * 1000.0 + (double)st.st_mtim.tv_nsec / 1e6;
  }
  g_free(absolute);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)ftw;
  return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void files_remove_tree(const char *path) {
  nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

static void work_remove(Job *job) {
  char *absolute = resolve(job, job->path);
  if (absolute == NULL) return;
  struct stat st;
  if (lstat(absolute, &st) == 0) {
    int rc;
    if (!S_ISDIR(st.st_mode)) rc = unlink(absolute);
    else if (job->flag) rc = nftw(absolute, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
    else rc = rmdir(absolute);
    if (rc != 0 && errno != ENOENT) job_fail_errno(job, errno == EEXIST ? ENOTEMPTY : errno, absolute);
  }
  g_free(absolute);
}

static void work_rename(Job *job) {
  char *from = resolve(job, job->path);
  char *to = from != NULL ? resolve(job, job->path2) : NULL;
  if (to != NULL && rename(from, to) != 0) job_fail_errno(job, errno, from);
  g_free(from);
  g_free(to);
}

static void work_mkdirp(Job *job) {
  char *absolute = resolve(job, job->path);
  if (absolute != NULL) mkdirp(job, absolute);
  g_free(absolute);
}

static void work_copy(Job *job) {
  char *from = resolve(job, job->path);
  char *to = from != NULL ? resolve(job, job->path2) : NULL;
  if (to == NULL) {
    g_free(from);
    return;
  }
  char *directory = g_path_get_dirname(to);
  int in = -1, out = -1;
  if (!mkdirp(job, directory)) goto end;
  in = open(from, O_RDONLY);
  if (in < 0) {
    job_fail_errno(job, errno, from);
    goto end;
  }
  out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) {
    job_fail_errno(job, errno, to);
    goto end;
  }
  guint8 buffer[65536];
  for (;;) {
    ssize_t n = read(in, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      job_fail_errno(job, errno, from);
      break;
    }
    if (n == 0) break;
    if (!write_all(out, buffer, (gsize)n)) {
      job_fail_errno(job, errno, to);
      break;
    }
  }
  if (job->err_code == NULL && fsync(out) != 0) job_fail_errno(job, errno, to);
end:
  if (in >= 0) close(in);
  if (out >= 0) close(out);
  g_free(directory);
  g_free(from);
  g_free(to);
}

static void work_disk_space(Job *job) {
  char *probe = resolve(job, job->path);
  while (probe != NULL) {
    struct statvfs vfs;
    if (statvfs(probe, &vfs) == 0) {
      job->number = (double)vfs.f_bavail * (double)vfs.f_frsize;
      job->number2 = (double)vfs.f_blocks * (double)vfs.f_frsize;
      break;
    }
    char *parent = g_path_get_dirname(probe);
    if (errno != ENOENT || strcmp(parent, probe) == 0) {
      job_fail_errno(job, errno, probe);
      g_free(parent);
      break;
    }
    g_free(probe);
    probe = parent;
  }
  g_free(probe);
}

static void work_sha256_file(Job *job) {
  char *absolute = resolve(job, job->path);
  if (absolute != NULL) hash_file(job, absolute, &job->size, &job->hex);
  g_free(absolute);
}

/* ---------- completions on the main thread ---------- */

static void done_void(Job *job) { settle_resolve(&job->pending, NULL); }

static void done_bytes(Job *job) { settle_resolve(&job->pending, new_bytes(job->out, job->out_length)); }

static void set_number(JSCValue *object, const char *name, double number) {
  JSCValue *value = jsc_value_new_number(host.context, number);
  jsc_value_object_set_property(object, name, value);
  g_object_unref(value);
}

static void done_write_result(Job *job) {
  JSCValue *result = jsc_value_new_object(host.context, NULL, NULL);
  set_number(result, "size", (double)job->size);
  JSCValue *hex = jsc_value_new_string(host.context, job->hex);
  jsc_value_object_set_property(result, "sha256", hex);
  g_object_unref(hex);
  settle_resolve(&job->pending, result);
}

static void done_list(Job *job) {
  settle_resolve(&job->pending, jsc_value_new_array_from_strv(host.context, (const char *const *)job->names));
}

static void done_stat(Job *job) {
  if (job->kind == 0) {
    settle_resolve(&job->pending, NULL);
    return;
  }
  JSCValue *result = jsc_value_new_object(host.context, NULL, NULL);
  JSCValue *kind = jsc_value_new_string(host.context, job->kind == 2 ? "directory" : "file");
  jsc_value_object_set_property(result, "kind", kind);
  g_object_unref(kind);
  set_number(result, "size", (double)job->size);
  set_number(result, "mtimeMs", job->number);
  settle_resolve(&job->pending, result);
}

static void done_disk_space(Job *job) {
  JSCValue *result = jsc_value_new_object(host.context, NULL, NULL);
  set_number(result, "free", job->number);
  set_number(result, "total", job->number2);
  settle_resolve(&job->pending, result);
}

/* ---------- JavaScript entry points ---------- */

/* Builds a job from (path, [bytes|path2], [options]) and returns its promise. */
static JSCValue *submit(GPtrArray *args, JobWork work, JobDone done, gboolean wants_bytes, gboolean wants_path2) {
  Job *job = g_new0(Job, 1);
  job->work = work;
  job->done = done;
  job->flag = FALSE;
  JSCValue *promise = new_promise(&job->pending);
  job->path = arg_string(args, 0);
  if (job->path == NULL) job_fail(job, "EINVAL", "path must be a string");
  if (wants_path2) {
    job->path2 = arg_string(args, 1);
    if (job->path2 == NULL) job_fail(job, "EINVAL", "second path must be a string");
  }
  if (wants_bytes) {
    const guint8 *data = NULL;
    gsize length = 0;
    if (!bytes_of(arg(args, 1), &data, &length)) job_fail(job, "EINVAL", "bytes must be a Uint8Array");
    else job->bytes = g_memdup2(data, length), job->length = length;
  }
  JSCValue *options = arg(args, wants_bytes || wants_path2 ? 2 : 1);
  if (options != NULL && jsc_value_is_object(options)) {
    JSCValue *recursive = jsc_value_object_get_property(options, "recursive");
    JSCValue *flush = jsc_value_object_get_property(options, "flushDir");
    job->flag = work == work_write_atomic ? !(jsc_value_is_boolean(flush) && !jsc_value_to_boolean(flush)) : jsc_value_to_boolean(recursive);
    g_object_unref(recursive);
    g_object_unref(flush);
  } else if (work == work_write_atomic) job->flag = TRUE;
  if (job->err_code != NULL) job->work = NULL; /* rejects in order, without touching the disk */
  job_submit(job);
  return promise;
}

#define ENTRY(name, work, done, bytes, path2) \
  static JSCValue *name(GPtrArray *args, gpointer data) { (void)data; return submit(args, work, done, bytes, path2); }

ENTRY(js_read, work_read, done_bytes, FALSE, FALSE)
ENTRY(js_write_atomic, work_write_atomic, done_write_result, TRUE, FALSE)
ENTRY(js_append, work_append, done_void, TRUE, FALSE)
ENTRY(js_flush_dir, work_flush_dir, done_void, FALSE, FALSE)
ENTRY(js_list, work_list, done_list, FALSE, FALSE)
ENTRY(js_stat, work_stat, done_stat, FALSE, FALSE)
ENTRY(js_remove, work_remove, done_void, FALSE, FALSE)
ENTRY(js_rename, work_rename, done_void, FALSE, TRUE)
ENTRY(js_mkdirp, work_mkdirp, done_void, FALSE, FALSE)
ENTRY(js_copy, work_copy, done_void, FALSE, TRUE)
ENTRY(js_disk_space, work_disk_space, done_disk_space, FALSE, FALSE)
ENTRY(js_sha256_file, work_sha256_file, done_write_result, FALSE, FALSE)

JSCValue *files_install(void) {
  JSCValue *files = jsc_value_new_object(host.context, NULL, NULL);
  set_fn(files, "read", js_read, NULL);
  set_fn(files, "writeAtomic", js_write_atomic, NULL);
  set_fn(files, "append", js_append, NULL);
  set_fn(files, "flushDir", js_flush_dir, NULL);
  set_fn(files, "list", js_list, NULL);
  set_fn(files, "stat", js_stat, NULL);
  set_fn(files, "remove", js_remove, NULL);
  set_fn(files, "rename", js_rename, NULL);
  set_fn(files, "mkdirp", js_mkdirp, NULL);
  set_fn(files, "copy", js_copy, NULL);
  set_fn(files, "diskSpace", js_disk_space, NULL);
  return files;
}

/* sha256File lives with the files: it resolves paths and streams on the same worker. */
JSCValue *files_sha256_file(GPtrArray *args, gpointer data) { return js_sha256_file(args, data); }
