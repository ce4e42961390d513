/*
 * http.request/abort over GIO sockets: HTTP/1.1 with `Connection: close`,
 * plain http:// only (the test host talks to loopback servers). The response
 * is read to EOF, then parsed (Content-Length or chunked). Timeouts and
 * aborts cancel the in-flight operation; the rejection carries `timeout`,
 * `aborted` or `network` as its code.
 */
#include "host.h"
#include <gio/gio.h>
#include <string.h>

typedef struct {
  char *id;
  Pending pending;
  GCancellable *cancellable;
  GSocketConnection *connection;
  GByteArray *request;
  GByteArray *response;
  guint timeout_source;
  const char *cancel_code; /* "timeout" or "aborted" once cancelled on purpose */
  gboolean head;           /* a HEAD request: the response has no body whatever its headers say */
  gboolean finished;
} Request;

static GHashTable *inflight; /* id → Request* */
static GSocketClient *client;

static void request_free(Request *r) {
  g_free(r->id);
  g_clear_object(&r->cancellable);
  g_clear_object(&r->connection);
  if (r->request != NULL) g_byte_array_unref(r->request);
  if (r->response != NULL) g_byte_array_unref(r->response);
  g_free(r);
}

static void unregister(Request *r) {
  r->finished = TRUE;
  if (r->timeout_source != 0) g_source_remove(r->timeout_source);
  r->timeout_source = 0;
  if (r->id != NULL && g_hash_table_lookup(inflight, r->id) == r) g_hash_table_remove(inflight, r->id);
  if (r->connection != NULL) g_io_stream_close(G_IO_STREAM(r->connection), NULL, NULL);
}

static void fail(Request *r, GError *error) {
  unregister(r);
  const char *code = r->cancel_code != NULL ? r->cancel_code : "network";
  char *message = r->cancel_code == NULL ? g_strdup_printf("network: %s", error != NULL ? error->message : "request failed")
                  : strcmp(code, "timeout") == 0 ? g_strdup("timeout: the request timed out")
                                                 : g_strdup("aborted: the request was aborted");
  settle_reject(&r->pending, code, message);
  g_free(message);
  request_free(r);
}

/* Decodes a chunked body in place; FALSE when malformed. */
static gboolean dechunk(const guint8 *data, gsize length, GByteArray *out) {
  gsize at = 0;
  for (;;) {
    const guint8 *eol = memchr(data + at, '\n', length - at);
    if (eol == NULL) return FALSE;
    char *size_text = g_strndup((const char *)data + at, (gsize)(eol - (data + at)));
    guint64 size = g_ascii_strtoull(size_text, NULL, 16);
    g_free(size_text);
    at = (gsize)(eol - data) + 1;
    if (size == 0) return TRUE;
    if (size > length - at) return FALSE;
    g_byte_array_append(out, data + at, (guint)size);
    at += size;
    if (at + 2 <= length && data[at] == '\r') at += 2;
    else if (at + 1 <= length && data[at] == '\n') at += 1;
  }
}

static void succeed(Request *r) {
  unregister(r);
  const guint8 *data = r->response->data;
  gsize length = r->response->len;
  const guint8 *end = NULL;
  for (gsize i = 0; i + 3 < length; i++) {
    if (memcmp(data + i, "\r\n\r\n", 4) == 0) {
      end = data + i;
      break;
    }
  }
  if (end == NULL || length < 12 || memcmp(data, "HTTP/1.", 7) != 0) {
    GError *error = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "malformed HTTP response");
    fail(r, error);
    g_error_free(error);
    return;
  }
  char *head = g_strndup((const char *)data, (gsize)(end - data));
  char **lines = g_strsplit(head, "\r\n", -1);
  int status = atoi(lines[0] + 9);
  const char *reason = strlen(lines[0]) > 13 ? lines[0] + 13 : "";
  JSCValue *headers = jsc_value_new_object(host.context, NULL, NULL);
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  for (char **line = lines + 1; *line != NULL; line++) {
    char *colon = strchr(*line, ':');
    if (colon == NULL) continue;
    char *name = g_ascii_strdown(*line, colon - *line);
    char *value = g_strstrip(g_strdup(colon + 1));
    const char *previous = g_hash_table_lookup(seen, name);
    char *joined = previous != NULL ? g_strdup_printf("%s, %s", previous, value) : g_strdup(value);
    g_hash_table_replace(seen, g_strdup(name), joined);
    g_free(name);
    g_free(value);
  }
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init(&iter, seen);
  while (g_hash_table_iter_next(&iter, &key, &value)) {
    JSCValue *text = jsc_value_new_string(host.context, value);
    jsc_value_object_set_property(headers, key, text);
    g_object_unref(text);
  }
  const guint8 *body = end + 4;
  gsize body_length = length - (gsize)(body - data);
  const char *encoding = g_hash_table_lookup(seen, "transfer-encoding");
  const char *content_length = g_hash_table_lookup(seen, "content-length");
  GByteArray *decoded = g_byte_array_new();
  gboolean ok = TRUE;
  if (r->head || status == 204 || status == 304 || (status >= 100 && status < 200)) {
    /* No body by definition. */
  } else if (encoding != NULL && strstr(encoding, "chunked") != NULL) ok = dechunk(body, body_length, decoded);
  else {
    gsize take = body_length;
    if (content_length != NULL) {
      guint64 declared = g_ascii_strtoull(content_length, NULL, 10);
      if (declared > body_length) ok = FALSE;
      else take = (gsize)declared;
    }
    g_byte_array_append(decoded, body, (guint)take);
  }
  if (!ok) {
    GError *error = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "truncated HTTP response body");
    g_object_unref(headers);
    fail(r, error);
    g_error_free(error);
  } else {
    JSCValue *response = jsc_value_new_object(host.context, NULL, NULL);
    JSCValue *status_value = jsc_value_new_number(host.context, status);
    JSCValue *reason_value = jsc_value_new_string(host.context, reason);
    JSCValue *body_value = new_bytes(decoded->data, decoded->len);
    jsc_value_object_set_property(response, "status", status_value);
    jsc_value_object_set_property(response, "statusText", reason_value);
    jsc_value_object_set_property(response, "headers", headers);
    jsc_value_object_set_property(response, "body", body_value);
    g_object_unref(status_value);
    g_object_unref(reason_value);
    g_object_unref(body_value);
    g_object_unref(headers);
    settle_resolve(&r->pending, response);
    request_free(r);
  }
  g_byte_array_unref(decoded);
  g_hash_table_unref(seen);
  g_strfreev(lines);
  g_free(head);
}

static void on_read(GObject *source, GAsyncResult *result, gpointer data) {
  Request *r = data;
  GError *error = NULL;
  GBytes *chunk = g_input_stream_read_bytes_finish(G_INPUT_STREAM(source), result, &error);
  if (chunk == NULL) {
    fail(r, error);
    g_error_free(error);
    return;
  }
  gsize size = 0;
  const guint8 *bytes = g_bytes_get_data(chunk, &size);
  if (size == 0) {
    g_bytes_unref(chunk);
    succeed(r);
    return;
  }
  g_byte_array_append(r->response, bytes, (guint)size);
  g_bytes_unref(chunk);
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(r->connection));
  g_input_stream_read_bytes_async(in, 65536, G_PRIORITY_DEFAULT, r->cancellable, on_read, r);
}

static void on_written(GObject *source, GAsyncResult *result, gpointer data) {
  Request *r = data;
  GError *error = NULL;
  if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error)) {
    fail(r, error);
    g_error_free(error);
    return;
  }
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(r->connection));
  g_input_stream_read_bytes_async(in, 65536, G_PRIORITY_DEFAULT, r->cancellable, on_read, r);
}

static void on_connected(GObject *source, GAsyncResult *result, gpointer data) {
  Request *r = data;
  GError *error = NULL;
  r->connection = g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), result, &error);
  if (r->connection == NULL) {
    fail(r, error);
    g_error_free(error);
    return;
  }
  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(r->connection));
  g_output_stream_write_all_async(out, r->request->data, r->request->len, G_PRIORITY_DEFAULT, r->cancellable, on_written, r);
}

static gboolean on_timeout(gpointer data) {
  Request *r = data;
  r->timeout_source = 0;
  if (!r->finished && r->cancel_code == NULL) {
    r->cancel_code = "timeout";
    g_cancellable_cancel(r->cancellable);
  }
  return G_SOURCE_REMOVE;
}

static char *string_property(JSCValue *object, const char *name) {
  JSCValue *value = jsc_value_object_get_property(object, name);
  char *text = jsc_value_is_string(value) ? jsc_value_to_string(value) : NULL;
  g_object_unref(value);
  return text;
}

/* Header values: strings, or numbers and booleans in their string form. */
static char *header_value(JSCValue *headers, const char *name) {
  JSCValue *value = jsc_value_object_get_property(headers, name);
  char *text = jsc_value_is_string(value) || jsc_value_is_number(value) || jsc_value_is_boolean(value) ? jsc_value_to_string(value) : NULL;
  g_object_unref(value);
  return text;
}

static gboolean header_safe(const char *text) {
  return strpbrk(text, "\r\n") == NULL;
}

static JSCValue *http_request(GPtrArray *args, gpointer data) {
  (void)data;
  Request *r = g_new0(Request, 1);
  JSCValue *promise = new_promise(&r->pending);
  JSCValue *spec = arg(args, 0);
  const char *problem = NULL;
  char *url = NULL, *method = NULL;
  GUri *uri = NULL;
  if (spec == NULL || !jsc_value_is_object(spec)) problem = "request must be an object";
  else {
    r->id = string_property(spec, "id");
    url = string_property(spec, "url");
    method = string_property(spec, "method");
    if (url == NULL || method == NULL || !header_safe(method) || strchr(method, ' ') != NULL) problem = "request needs a url and a method";
    else if ((uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL)) == NULL || g_strcmp0(g_uri_get_scheme(uri), "http") != 0 || g_uri_get_host(uri) == NULL)
      problem = "the test host supports http:// URLs only";
  }
  if (problem == NULL) {
    const char *target_path = g_uri_get_path(uri);
    const char *query = g_uri_get_query(uri);
    int port = g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : 80;
    const guint8 *body = NULL;
    gsize body_length = 0;
    JSCValue *body_value = jsc_value_object_get_property(spec, "body");
    gboolean has_body = !jsc_value_is_undefined(body_value) && !jsc_value_is_null(body_value);
    if (has_body && !bytes_of(body_value, &body, &body_length)) problem = "body must be a Uint8Array";
    GString *head = g_string_new(NULL);
    g_string_append_printf(head, "%s %s%s%s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n", method,
                           *target_path != '\0' ? target_path : "/", query != NULL ? "?" : "", query != NULL ? query : "",
                           g_uri_get_host(uri), port);
    if (has_body || g_ascii_strcasecmp(method, "POST") == 0 || g_ascii_strcasecmp(method, "PUT") == 0 || g_ascii_strcasecmp(method, "PATCH") == 0)
      g_string_append_printf(head, "Content-Length: %" G_GSIZE_FORMAT "\r\n", body_length);
    JSCValue *headers = jsc_value_object_get_property(spec, "headers");
    if (jsc_value_is_object(headers)) {
      char **names = jsc_value_object_enumerate_properties(headers);
      for (char **name = names; name != NULL && *name != NULL; name++) {
        char *value = header_value(headers, *name);
        if (value == NULL || !header_safe(*name) || !header_safe(value)) problem = "header names and values must be strings without line breaks";
        else if (g_ascii_strcasecmp(*name, "host") != 0 && g_ascii_strcasecmp(*name, "connection") != 0 &&
                 g_ascii_strcasecmp(*name, "content-length") != 0 && g_ascii_strcasecmp(*name, "transfer-encoding") != 0)
          g_string_append_printf(head, "%s: %s\r\n", *name, value);
        g_free(value);
      }
      g_strfreev(names);
    }
    g_object_unref(headers);
    g_string_append(head, "\r\n");
    r->request = g_byte_array_new_take((guint8 *)head->str, head->len);
    g_string_free(head, FALSE);
    if (body_length > 0) g_byte_array_append(r->request, body, (guint)body_length);
    g_object_unref(body_value);
    if (problem == NULL) {
      r->head = g_ascii_strcasecmp(method, "HEAD") == 0;
      r->cancellable = g_cancellable_new();
      r->response = g_byte_array_new();
      if (r->id != NULL) {
        Request *previous = g_hash_table_lookup(inflight, r->id);
        if (previous == NULL) g_hash_table_insert(inflight, g_strdup(r->id), r);
      }
      JSCValue *timeout = jsc_value_object_get_property(spec, "timeoutMs");
      if (jsc_value_is_number(timeout) && jsc_value_to_double(timeout) >= 0)
        r->timeout_source = g_timeout_add((guint)MIN(jsc_value_to_double(timeout), 2147483647.0), on_timeout, r);
      g_object_unref(timeout);
      g_socket_client_connect_to_host_async(client, g_uri_get_host(uri), (guint16)port, r->cancellable, on_connected, r);
    }
  }
  if (problem != NULL) {
    settle_reject(&r->pending, "network", problem);
    request_free(r);
  }
  if (uri != NULL) g_uri_unref(uri);
  g_free(url);
  g_free(method);
  return promise;
}

static void http_abort(GPtrArray *args, gpointer data) {
  (void)data;
  char *id = arg_string(args, 0);
  Request *r = id != NULL ? g_hash_table_lookup(inflight, id) : NULL;
  if (r != NULL && !r->finished && r->cancel_code == NULL) {
    r->cancel_code = "aborted";
    g_cancellable_cancel(r->cancellable);
  }
  g_free(id);
}

JSCValue *http_install(void) {
  inflight = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  client = g_socket_client_new();
  JSCValue *http = jsc_value_new_object(host.context, NULL, NULL);
  set_fn(http, "request", http_request, NULL);
  set_void_fn(http, "abort", http_abort, NULL);
  return http;
}
