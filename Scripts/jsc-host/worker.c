/* The serial worker: blocking file and hash work off the JavaScript thread, in issue order. */
#include "host.h"
#include <errno.h>
#include <string.h>

static GThreadPool *pool;

static void free_job(Job *job) {
  g_free(job->path);
  g_free(job->path2);
  g_free(job->bytes);
  g_free(job->err_message);
  g_free(job->out);
  g_strfreev(job->names);
  g_free(job->hex);
  g_free(job);
}

static gboolean settle_on_main(gpointer data) {
  Job *job = data;
  if (job->err_code != NULL) settle_reject(&job->pending, job->err_code, job->err_message != NULL ? job->err_message : job->err_code);
  else job->done(job);
  free_job(job);
  return G_SOURCE_REMOVE;
}

static void run_job(gpointer data, gpointer user_data) {
  (void)user_data;
  Job *job = data;
  if (job->work != NULL) job->work(job);
  g_idle_add_full(G_PRIORITY_DEFAULT, settle_on_main, job, NULL);
}

void job_submit(Job *job) {
  if (pool == NULL) pool = g_thread_pool_new(run_job, NULL, 1, TRUE, NULL);
  g_thread_pool_push(pool, job, NULL);
}

void job_fail(Job *job, const char *code, const char *message) {
  if (job->err_code != NULL) return;
  job->err_code = code;
  job->err_message = g_strdup_printf("%s: %s", code, message);
}

/* Maps errno onto the host port's codes, as the Node host does. */
void job_fail_errno(Job *job, int err, const char *what) {
  const char *code;
  switch (err) {
    case ENOENT: code = "ENOENT"; break;
    case EEXIST: code = "EEXIST"; break;
    case ENOTDIR: code = "ENOTDIR"; break;
    case EISDIR: code = "EISDIR"; break;
    case ENOTEMPTY: code = "ENOTEMPTY"; break;
    case EACCES: case EPERM: case EROFS: code = "EACCES"; break;
    case ENOSPC: case EDQUOT: case EFBIG: code = "ENOSPC"; break;
    case EINVAL: code = "EINVAL"; break;
    default: code = "EIO"; break;
  }
  char *message = g_strdup_printf("%s (%s)", g_strerror(err), what);
  job_fail(job, code, message);
  g_free(message);
}
