/* crypto.*: SHA-256 through GChecksum on the serial worker; randomness from getrandom(2). */
#include "host.h"
#include <errno.h>
#include <sys/random.h>

char *sha256_hex(const guint8 *data, gsize length) {
  return g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, length);
}

static void work_sha256(Job *job) {
  job->hex = sha256_hex(job->bytes, job->length);
}

static void done_hex(Job *job) {
  settle_resolve(&job->pending, jsc_value_new_string(host.context, job->hex));
}

/* Hashing runs on the serial worker: a large buffer must not stall the JS thread. */
static JSCValue *crypto_sha256(GPtrArray *args, gpointer data) {
  (void)data;
  Job *job = g_new0(Job, 1);
  job->work = work_sha256;
  job->done = done_hex;
  JSCValue *promise = new_promise(&job->pending);
  const guint8 *bytes = NULL;
  gsize length = 0;
  if (!bytes_of(arg(args, 0), &bytes, &length)) {
    job_fail(job, "EINVAL", "sha256: bytes must be a Uint8Array");
    job->work = NULL;
  } else job->bytes = g_memdup2(bytes, length), job->length = length;
  job_submit(job);
  return promise;
}

static gboolean fill_random(guint8 *out, gsize length) {
  gsize done = 0;
  while (done < length) {
    ssize_t n = getrandom(out + done, length - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FALSE;
    }
    done += (gsize)n;
  }
  return TRUE;
}

static JSCValue *random_bytes(GPtrArray *args, gpointer data) {
  (void)data;
  JSCValue *length_value = arg(args, 0);
  double length = length_value != NULL && jsc_value_is_number(length_value) ? jsc_value_to_double(length_value) : -1;
  if (!(length >= 0 && length <= 65536) || length != (double)(gsize)length) {
    jsc_context_throw_with_name(host.context, "RangeError", "crypto.randomBytes: length must be an integer from 0 to 65536");
    return jsc_value_new_undefined(host.context);
  }
  guint8 *bytes = g_malloc((gsize)length + 1);
  if (!fill_random(bytes, (gsize)length)) {
    g_free(bytes);
    jsc_context_throw(host.context, "crypto.randomBytes: the system random source failed");
    return jsc_value_new_undefined(host.context);
  }
  JSCValue *result = new_bytes(bytes, (gsize)length);
  g_free(bytes);
  return result;
}

static JSCValue *random_uuid(GPtrArray *args, gpointer data) {
  (void)args, (void)data;
  guint8 b[16];
  if (!fill_random(b, sizeof b)) {
    jsc_context_throw(host.context, "crypto.randomUUID: the system random source failed");
    return jsc_value_new_undefined(host.context);
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char text[37];
  g_snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
             b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return jsc_value_new_string(host.context, text);
}

JSCValue *crypto_install(void) {
  JSCValue *crypto = jsc_value_new_object(host.context, NULL, NULL);
  set_fn(crypto, "sha256", crypto_sha256, NULL);
  set_fn(crypto, "sha256File", files_sha256_file, NULL);
  set_fn(crypto, "randomUUID", random_uuid, NULL);
  set_fn(crypto, "randomBytes", random_bytes, NULL);
  return crypto;
}
