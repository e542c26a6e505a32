/*
 * jwt-sync native host: the JavaScriptCore C API (the same API Apple ships in
 * JavaScriptCore.framework) driving the jwt-sync bridge bundle, as an iOS app would.
 *
 *   host <bundle.js> <storage-directory>  < scenario.jsonl
 *
 * It creates a context, injects one host function, evaluates the bundle, and then:
 *   - performs the bundle's HTTP requests with libcurl, gzipping a body with zlib when the
 *     message says `compressBody: "gzip"` (R20); it declares that it can by adding
 *     `"capabilities":{"gzip":true}` to an `initialize` that names no capabilities of its own
 *     (a scenario that sends `"capabilities":{}` plays a host that cannot),
 *   - keeps storage in files (one append-only log of commits per namespace, replayed at open),
 *   - runs the bundle's timers in its own loop,
 *   - prints authentication errors, answers, problems and log lines on stdout.
 *
 * Scenario: one JSON object per line on stdin.
 *   {"send": {...host->JS message...}}   deliver it; if it has an "id", run the loop until its answer
 *   {"sleep": 1500}                      run the loop for that many milliseconds
 *   {"echo": "text"}                     print "ECHO text" (markers for the reader)
 *
 * Output lines: ANSWER <json> | AUTH_ERROR <json> | PROBLEM <json> | LOG <level> <message> |
 *               HTTP <status|failure> <url> [gzip <sent bytes>/<body bytes>] | ECHO <text> | FATAL <message>
 * Only JSON travels between C and JS; the JS side never sees a C object.
 */
#include <JavaScriptCore/JavaScript.h>
#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* ---------- small growable string ---------- */

typedef struct { char *data; size_t len, cap; } Buf;

static void buf_grow(Buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  b->data = realloc(b->data, cap);
  if (!b->data) { fprintf(stderr, "out of memory\n"); exit(70); }
  b->cap = cap;
}
static void buf_add(Buf *b, const char *s, size_t n) { buf_grow(b, n); memcpy(b->data + b->len, s, n); b->len += n; b->data[b->len] = 0; }
static void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }
static void buf_fmt(Buf *b, const char *fmt, ...) {
  char tmp[512]; va_list ap; va_start(ap, fmt); int n = vsnprintf(tmp, sizeof tmp, fmt, ap); va_end(ap);
  buf_add(b, tmp, n < (int)sizeof tmp ? (size_t)n : sizeof tmp - 1);
}
/* Appends s as a JSON string literal. */
static void buf_json_string(Buf *b, const char *s) {
  buf_str(b, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') { char e[2] = {'\\', (char)*p}; buf_add(b, e, 2); }
    else if (*p < 0x20) buf_fmt(b, "\\u%04x", *p);
    else buf_add(b, (const char *)p, 1);
  }
  buf_str(b, "\"");
}

/* ---------- JavaScriptCore helpers ---------- */

static JSGlobalContextRef ctx;
static JSObjectRef receive_fn;

static char *js_to_utf8(JSStringRef s) {
  size_t max = JSStringGetMaximumUTF8CStringSize(s);
  char *out = malloc(max);
  JSStringGetUTF8CString(s, out, max);
  return out;
}
static char *value_to_utf8(JSValueRef v) {
  JSStringRef s = JSValueToStringCopy(ctx, v, NULL);
  if (!s) return strdup("");
  char *out = js_to_utf8(s);
  JSStringRelease(s);
  return out;
}
static JSValueRef parse_json(const char *text) {
  JSStringRef s = JSStringCreateWithUTF8CString(text);
  JSValueRef v = JSValueMakeFromJSONString(ctx, s);
  JSStringRelease(s);
  return v;
}
static char *to_json(JSValueRef v) {
  JSStringRef s = JSValueCreateJSONString(ctx, v, 0, NULL);
  if (!s) return strdup("null");
  char *out = js_to_utf8(s);
  JSStringRelease(s);
  return out;
}
static JSValueRef get(JSValueRef obj, const char *name) {
  if (!obj || !JSValueIsObject(ctx, obj)) return JSValueMakeUndefined(ctx);
  JSStringRef key = JSStringCreateWithUTF8CString(name);
  JSValueRef v = JSObjectGetProperty(ctx, (JSObjectRef)obj, key, NULL);
  JSStringRelease(key);
  return v;
}
/* The string property `name`, malloc'd, or NULL when it is not a string. */
static char *get_string(JSValueRef obj, const char *name) {
  JSValueRef v = get(obj, name);
  return JSValueIsString(ctx, v) ? value_to_utf8(v) : NULL;
}
static double get_number(JSValueRef obj, const char *name, double fallback) {
  JSValueRef v = get(obj, name);
  return JSValueIsNumber(ctx, v) ? JSValueToNumber(ctx, v, NULL) : fallback;
}
static size_t array_length(JSValueRef arr) { return (size_t)get_number(arr, "length", 0); }
static JSValueRef array_at(JSValueRef arr, size_t i) {
  if (!JSValueIsObject(ctx, arr)) return JSValueMakeUndefined(ctx);
  return JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)arr, (unsigned)i, NULL);
}
static void print_exception(const char *where, JSValueRef exception) {
  char *text = exception ? value_to_utf8(exception) : strdup("(none)");
  printf("FATAL %s: %s\n", where, text);
  fflush(stdout);
  free(text);
}

/* ---------- the channel ---------- */

/* JS -> host messages wait here: the host function only queues, so JS is never re-entered. */
typedef struct Msg { char *json; struct Msg *next; } Msg;
static Msg *outbox_head, *outbox_tail;

static JSValueRef host_function(JSContextRef c, JSObjectRef fn, JSObjectRef self, size_t argc, const JSValueRef argv[], JSValueRef *exception) {
  (void)fn; (void)self; (void)exception; (void)c;
  if (argc < 1 || !JSValueIsString(ctx, argv[0])) return JSValueMakeUndefined(ctx);
  Msg *m = calloc(1, sizeof *m);
  m->json = value_to_utf8(argv[0]);
  if (outbox_tail) outbox_tail->next = m; else outbox_head = m;
  outbox_tail = m;
  return JSValueMakeUndefined(ctx);
}

/* Hands one host -> JS message (a JSON text) to the bridge's entry point. */
static void deliver(const char *json) {
  JSStringRef s = JSStringCreateWithUTF8CString(json);
  JSValueRef arg = JSValueMakeString(ctx, s);
  JSStringRelease(s);
  JSValueRef exception = NULL;
  JSObjectCallAsFunction(ctx, receive_fn, NULL, 1, &arg, &exception);
  /* The bridge promises never to throw; if it did, that is a finding worth printing. */
  if (exception) print_exception("receive threw", exception);
}

/* ---------- timers ---------- */

typedef struct { char *id; double due; } Timer;
static Timer *timers; static size_t timer_count, timer_cap;

static double now_ms(void) {
  struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}
static void timer_set(const char *id, double ms) {
  if (timer_count == timer_cap) { timer_cap = timer_cap ? timer_cap * 2 : 16; timers = realloc(timers, timer_cap * sizeof *timers); }
  timers[timer_count].id = strdup(id);
  timers[timer_count].due = now_ms() + ms;
  timer_count++;
}
static void timer_clear(const char *id) {
  for (size_t i = 0; i < timer_count; i++) if (strcmp(timers[i].id, id) == 0) {
    free(timers[i].id); timers[i] = timers[--timer_count]; return;
  }
}
/* Fires the earliest due timer; returns 1 if one fired. */
static int timer_fire_due(void) {
  double now = now_ms(); size_t best = (size_t)-1;
  for (size_t i = 0; i < timer_count; i++) if (timers[i].due <= now && (best == (size_t)-1 || timers[i].due < timers[best].due)) best = i;
  if (best == (size_t)-1) return 0;
  char *id = timers[best].id; timers[best] = timers[--timer_count];
  Buf b = {0}; buf_str(&b, "{\"v\":1,\"kind\":\"timerFired\",\"timerId\":"); buf_json_string(&b, id); buf_str(&b, "}");
  free(id);
  deliver(b.data); free(b.data);
  return 1;
}
static double timer_next_due(void) {
  double next = -1;
  for (size_t i = 0; i < timer_count; i++) if (next < 0 || timers[i].due < next) next = timers[i].due;
  return next;
}

/* ---------- HTTP with libcurl ---------- */

static size_t on_body(char *ptr, size_t size, size_t n, void *user) { buf_add((Buf *)user, ptr, size * n); return size * n; }
/* Collects response headers as JSON members "name":"value" (names lower-case). */
static size_t on_header(char *ptr, size_t size, size_t n, void *user) {
  Buf *h = user; size_t len = size * n;
  char *colon = memchr(ptr, ':', len);
  if (!colon) return len;
  char name[256]; size_t nl = (size_t)(colon - ptr); if (nl >= sizeof name) return len;
  for (size_t i = 0; i < nl; i++) name[i] = (char)tolower((unsigned char)ptr[i]);
  name[nl] = 0;
  const char *v = colon + 1; const char *end = ptr + len;
  while (v < end && (*v == ' ' || *v == '\t')) v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
  char *value = strndup(v, (size_t)(end - v));
  if (h->len > 1) buf_str(h, ",");
  buf_json_string(h, name); buf_str(h, ":"); buf_json_string(h, value);
  free(value);
  return len;
}

/*
 * R20: gzips `n` bytes into `out` (a gzip header and trailer around raw deflate: windowBits 15 + 16).
 * Level 1, as the fetch transport uses: on batches of analytics events it keeps most of the gain
 * of the default level at about half the CPU, which is what a phone's battery cares about.
 * Returns 0 when zlib fails; the caller then sends the body as it is.
 */
static int gzip_body(const char *in, size_t n, Buf *out) {
  z_stream z; memset(&z, 0, sizeof z);
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
  uLong bound = deflateBound(&z, (uLong)n);
  buf_grow(out, bound);
  z.next_in = (Bytef *)in; z.avail_in = (uInt)n;
  z.next_out = (Bytef *)out->data; z.avail_out = (uInt)bound;
  /* deflateBound covers the whole stream, so one Z_FINISH call completes it. */
  int rc = deflate(&z, Z_FINISH);
  if (rc == Z_STREAM_END) out->len = z.total_out;
  deflateEnd(&z);
  return rc == Z_STREAM_END;
}

static void perform_http(const char *id, JSValueRef request) {
  char *url = get_string(request, "url");
  char *body = get_string(request, "body");
  char *compress = get_string(request, "compressBody");
  size_t body_len = body ? strlen(body) : 0;
  Buf gz = {0};
  /* A body that cannot be compressed still goes, as it is: compression is never worth an item. */
  int gzipped = compress && strcmp(compress, "gzip") == 0 && body && gzip_body(body, body_len, &gz);
  double timeout = get_number(request, "timeoutMs", 30000);
  JSValueRef headers = get(request, "headers");
  struct curl_slist *list = NULL;
  if (JSValueIsObject(ctx, headers)) {
    JSPropertyNameArrayRef names = JSObjectCopyPropertyNames(ctx, (JSObjectRef)headers);
    for (size_t i = 0; i < JSPropertyNameArrayGetCount(names); i++) {
      char *name = js_to_utf8(JSPropertyNameArrayGetNameAtIndex(names, i));
      char *value = get_string(headers, name);
      Buf line = {0}; buf_fmt(&line, "%s: ", name); buf_str(&line, value ? value : "");
      list = curl_slist_append(list, line.data);
      free(line.data); free(name); free(value);
    }
    JSPropertyNameArrayRelease(names);
  }
  if (gzipped) list = curl_slist_append(list, "Content-Encoding: gzip");
  list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
  Buf response = {0}, head = {0};
  buf_str(&head, "{");
  CURL *curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url ? url : "");
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, gzipped ? gz.data : body ? body : "");
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(gzipped ? gz.len : body_len));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &head);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl);
  Buf answer = {0};
  buf_str(&answer, "{\"v\":1,\"id\":"); buf_json_string(&answer, id);
  if (rc == CURLE_OK) {
    long status = 0; curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    buf_str(&head, "}");
    buf_fmt(&answer, ",\"kind\":\"httpResponse\",\"response\":{\"status\":%ld,\"headers\":", status);
    buf_str(&answer, head.data); buf_str(&answer, ",\"body\":");
    buf_json_string(&answer, response.data ? response.data : "");
    buf_str(&answer, "}}");
    printf("HTTP %ld %s", status, url ? url : "");
  } else {
    const char *kind = rc == CURLE_OPERATION_TIMEDOUT ? "timeout" : "network";
    buf_fmt(&answer, ",\"kind\":\"httpFailure\",\"failure\":{\"kind\":\"%s\",\"message\":", kind);
    buf_json_string(&answer, curl_easy_strerror(rc)); buf_str(&answer, "}}");
    printf("HTTP %s %s", kind, url ? url : "");
  }
  if (gzipped) printf(" gzip %zu/%zu", gz.len, body_len);
  printf("\n");
  fflush(stdout);
  curl_easy_cleanup(curl); curl_slist_free_all(list);
  deliver(answer.data);
  free(answer.data); free(response.data); free(head.data); free(url); free(body); free(compress); free(gz.data);
}

/* ---------- storage in files ---------- */

/*
 * One namespace: the pending queue (items in tracking order, tombstoned when removed), dead
 * letters and key-value state, all rebuilt at open by replaying an append-only log of commits
 * (<dir>/<hex namespace>.log, one JSON write per line, fsync'd before the answer).
 */
typedef struct { char *id, *identity, *json; int alive; } Item;
typedef struct { char *key, *json; } Entry;
typedef struct {
  char *name, *path; int loaded, skipped;
  Item *items; size_t n_items, cap_items;
  char **dead; size_t n_dead, cap_dead;
  Entry *state; size_t n_state, cap_state;
} Namespace;

static const char *storage_dir;
static Namespace *namespaces; static size_t n_namespaces;

static Namespace *namespace_of(const char *name) {
  for (size_t i = 0; i < n_namespaces; i++) if (strcmp(namespaces[i].name, name) == 0) return &namespaces[i];
  namespaces = realloc(namespaces, (n_namespaces + 1) * sizeof *namespaces);
  Namespace *ns = &namespaces[n_namespaces++];
  memset(ns, 0, sizeof *ns);
  ns->name = strdup(name);
  Buf p = {0}; buf_str(&p, storage_dir); buf_str(&p, "/");
  for (const unsigned char *c = (const unsigned char *)name; *c; c++) buf_fmt(&p, "%02x", *c);
  buf_str(&p, ".log");
  ns->path = p.data;
  return ns;
}

/* Applies one commit to memory; fills `removed` with {"identity":count,...} members. */
static void apply_write(Namespace *ns, JSValueRef write, Buf *removed) {
  JSValueRef append = get(write, "append");
  for (size_t i = 0, n = array_length(append); i < n; i++) {
    JSValueRef item = array_at(append, i);
    char *id = get_string(item, "id"), *identity = get_string(item, "identity");
    if (!id || !identity) { free(id); free(identity); ns->skipped++; continue; }
    if (ns->n_items == ns->cap_items) { ns->cap_items = ns->cap_items ? ns->cap_items * 2 : 64; ns->items = realloc(ns->items, ns->cap_items * sizeof(Item)); }
    ns->items[ns->n_items++] = (Item){id, identity, to_json(item), 1};
  }
  JSValueRef remove = get(write, "remove");
  for (size_t i = 0, n = array_length(remove); i < n; i++) {
    char *id = value_to_utf8(array_at(remove, i));
    for (size_t k = 0; k < ns->n_items; k++) if (ns->items[k].alive && strcmp(ns->items[k].id, id) == 0) { ns->items[k].alive = 0; break; }
    free(id);
  }
  JSValueRef identities = get(write, "removeIdentities");
  for (size_t i = 0, n = array_length(identities); i < n; i++) {
    char *identity = value_to_utf8(array_at(identities, i));
    long count = 0;
    for (size_t k = 0; k < ns->n_items; k++) if (ns->items[k].alive && strcmp(ns->items[k].identity, identity) == 0) { ns->items[k].alive = 0; count++; }
    if (removed) { if (removed->len > 1) buf_str(removed, ","); buf_json_string(removed, identity); buf_fmt(removed, ":%ld", count); }
    free(identity);
  }
  JSValueRef dead = get(write, "deadLetters");
  for (size_t i = 0, n = array_length(dead); i < n; i++) {
    if (ns->n_dead == ns->cap_dead) { ns->cap_dead = ns->cap_dead ? ns->cap_dead * 2 : 16; ns->dead = realloc(ns->dead, ns->cap_dead * sizeof(char *)); }
    ns->dead[ns->n_dead++] = to_json(array_at(dead, i));
  }
  JSValueRef state = get(write, "state");
  if (JSValueIsObject(ctx, state)) {
    JSPropertyNameArrayRef names = JSObjectCopyPropertyNames(ctx, (JSObjectRef)state);
    for (size_t i = 0; i < JSPropertyNameArrayGetCount(names); i++) {
      char *key = js_to_utf8(JSPropertyNameArrayGetNameAtIndex(names, i));
      JSValueRef value = get(state, key);
      size_t at = ns->n_state;
      for (size_t k = 0; k < ns->n_state; k++) if (strcmp(ns->state[k].key, key) == 0) { at = k; break; }
      if (JSValueIsNull(ctx, value) || JSValueIsUndefined(ctx, value)) {
        if (at < ns->n_state) { free(ns->state[at].key); free(ns->state[at].json); ns->state[at] = ns->state[--ns->n_state]; }
        free(key);
      } else if (at < ns->n_state) {
        free(ns->state[at].json); ns->state[at].json = to_json(value); free(key);
      } else {
        if (ns->n_state == ns->cap_state) { ns->cap_state = ns->cap_state ? ns->cap_state * 2 : 16; ns->state = realloc(ns->state, ns->cap_state * sizeof(Entry)); }
        ns->state[ns->n_state++] = (Entry){key, to_json(value)};
      }
    }
    JSPropertyNameArrayRelease(names);
  }
}

static void replay(Namespace *ns) {
  ns->loaded = 1;
  FILE *f = fopen(ns->path, "r");
  if (!f) return;
  char *line = NULL; size_t cap = 0; ssize_t len;
  while ((len = getline(&line, &cap, f)) > 0) {
    if (line[len - 1] == '\n') line[len - 1] = 0; else { ns->skipped++; break; } /* torn last line: a crash mid-write */
    JSValueRef write = parse_json(line);
    if (!write || !JSValueIsObject(ctx, write)) { ns->skipped++; continue; }
    apply_write(ns, write, NULL);
  }
  free(line); fclose(f);
}

static int persist(Namespace *ns, const char *json) {
  FILE *f = fopen(ns->path, "a");
  if (!f) return 0;
  int ok = fputs(json, f) >= 0 && fputc('\n', f) != EOF && fflush(f) == 0 && fsync(fileno(f)) == 0;
  return fclose(f) == 0 && ok;
}

/*
 * R11: a commit with "erase": true forgets a logged-out user, so the log must not keep what it
 * removed or overwrote. Rewrites the log as one write of the live data (temp file, fsync, rename,
 * directory fsync).
 */
static int checkpoint(Namespace *ns) {
  Buf b = {0}; buf_str(&b, "{\"append\":[");
  int first = 1;
  for (size_t i = 0; i < ns->n_items; i++) {
    if (!ns->items[i].alive) continue;
    if (!first) buf_str(&b, ",");
    first = 0; buf_str(&b, ns->items[i].json);
  }
  buf_str(&b, "],\"deadLetters\":[");
  for (size_t i = 0; i < ns->n_dead; i++) { if (i) buf_str(&b, ","); buf_str(&b, ns->dead[i]); }
  buf_str(&b, "],\"state\":{");
  for (size_t i = 0; i < ns->n_state; i++) { if (i) buf_str(&b, ","); buf_json_string(&b, ns->state[i].key); buf_str(&b, ":"); buf_str(&b, ns->state[i].json); }
  buf_str(&b, "}}");
  Buf tmp = {0}; buf_str(&tmp, ns->path); buf_str(&tmp, ".tmp");
  FILE *f = fopen(tmp.data, "w");
  int ok = f && fputs(b.data, f) >= 0 && fputc('\n', f) != EOF && fflush(f) == 0 && fsync(fileno(f)) == 0;
  if (f) ok = fclose(f) == 0 && ok;
  ok = ok && rename(tmp.data, ns->path) == 0;
  if (ok) { int dir = open(storage_dir, O_RDONLY); if (dir >= 0) { fsync(dir); close(dir); } }
  else unlink(tmp.data);
  free(b.data); free(tmp.data);
  return ok;
}

static void storage_answer(const char *id, const char *value) {
  Buf b = {0}; buf_str(&b, "{\"v\":1,\"kind\":\"storageResult\",\"id\":"); buf_json_string(&b, id);
  buf_str(&b, ",\"value\":"); buf_str(&b, value); buf_str(&b, "}");
  deliver(b.data); free(b.data);
}
static void storage_failure(const char *id, const char *kind, const char *message) {
  Buf b = {0}; buf_str(&b, "{\"v\":1,\"kind\":\"storageFailure\",\"id\":"); buf_json_string(&b, id);
  buf_fmt(&b, ",\"failure\":{\"kind\":\"%s\",\"message\":", kind); buf_json_string(&b, message); buf_str(&b, "}}");
  deliver(b.data); free(b.data);
}

static void perform_storage(const char *id, JSValueRef message) {
  char *name = get_string(message, "namespace"), *op = get_string(message, "op");
  if (!name || !op) { storage_failure(id, "io", "storage message without namespace or op"); free(name); free(op); return; }
  Namespace *ns = namespace_of(name);
  if (!ns->loaded) replay(ns);
  Buf v = {0};
  if (strcmp(op, "open") == 0 || strcmp(op, "close") == 0) {
    storage_answer(id, "null");
  } else if (strcmp(op, "load") == 0) {
    buf_str(&v, "{\"pendingByIdentity\":{");
    int first = 1;
    for (size_t i = 0; i < ns->n_items; i++) {
      if (!ns->items[i].alive) continue;
      int seen = 0; long count = 0;
      for (size_t k = 0; k < i; k++) if (ns->items[k].alive && strcmp(ns->items[k].identity, ns->items[i].identity) == 0) { seen = 1; break; }
      if (seen) continue;
      for (size_t k = i; k < ns->n_items; k++) if (ns->items[k].alive && strcmp(ns->items[k].identity, ns->items[i].identity) == 0) count++;
      if (!first) buf_str(&v, ",");
      first = 0;
      buf_json_string(&v, ns->items[i].identity); buf_fmt(&v, ":%ld", count);
    }
    buf_fmt(&v, "},\"deadLetterCount\":%zu,\"state\":{", ns->n_dead);
    for (size_t i = 0; i < ns->n_state; i++) { if (i) buf_str(&v, ","); buf_json_string(&v, ns->state[i].key); buf_str(&v, ":"); buf_str(&v, ns->state[i].json); }
    buf_fmt(&v, "},\"skippedRecords\":%d}", ns->skipped);
    storage_answer(id, v.data);
  } else if (strcmp(op, "peek") == 0) {
    char *identity = get_string(message, "identity");
    double limit = get_number(message, "limit", 0);
    buf_str(&v, "[");
    size_t taken = 0;
    for (size_t i = 0; i < ns->n_items && taken < limit; i++) {
      if (!ns->items[i].alive || !identity || strcmp(ns->items[i].identity, identity) != 0) continue;
      if (taken++) buf_str(&v, ",");
      buf_str(&v, ns->items[i].json);
    }
    buf_str(&v, "]");
    storage_answer(id, v.data);
    free(identity);
  } else if (strcmp(op, "commit") == 0) {
    JSValueRef write = get(message, "write");
    char *json = to_json(write);
    if (!persist(ns, json)) {
      storage_failure(id, "io", strerror(errno));
    } else {
      Buf removed = {0}; buf_str(&removed, "{");
      apply_write(ns, write, &removed);
      buf_str(&removed, "}");
      JSValueRef erase = get(write, "erase");
      if (JSValueIsBoolean(ctx, erase) && JSValueToBoolean(ctx, erase) && !checkpoint(ns)) {
        /* The commit is applied; answering a failure makes the SDK send it again (idempotent). */
        storage_failure(id, "io", "cannot rewrite the log to erase a logged-out user's data");
      } else {
        buf_str(&v, "{\"removedByIdentity\":"); buf_str(&v, removed.data); buf_str(&v, "}");
        storage_answer(id, v.data);
      }
      free(removed.data);
    }
    free(json);
  } else if (strcmp(op, "readDeadLetters") == 0) {
    double limit = get_number(message, "limit", 0);
    buf_str(&v, "[");
    for (size_t i = 0; i < ns->n_dead && i < limit; i++) { if (i) buf_str(&v, ","); buf_str(&v, ns->dead[i]); }
    buf_str(&v, "]");
    storage_answer(id, v.data);
  } else {
    storage_failure(id, "io", "unknown storage op");
  }
  free(v.data); free(name); free(op);
}

/* ---------- the loop ---------- */

static char *awaited_id; static int awaited_done;

static void handle(const char *json) {
  JSValueRef message = parse_json(json);
  char *kind = get_string(message, "kind");
  char *id = get_string(message, "id");
  if (!kind) {
    printf("FATAL unreadable message from JS: %s\n", json);
  } else if (strcmp(kind, "result") == 0 || strcmp(kind, "error") == 0) {
    printf("ANSWER %s\n", json);
    if (awaited_id && id && strcmp(id, awaited_id) == 0) awaited_done = 1;
  } else if (strcmp(kind, "authError") == 0) {
    char *error = to_json(get(message, "error"));
    printf("AUTH_ERROR %s\n", error);
    free(error);
  } else if (strcmp(kind, "problem") == 0) {
    char *problem = to_json(get(message, "problem"));
    printf("PROBLEM %s\n", problem);
    free(problem);
  } else if (strcmp(kind, "log") == 0) {
    char *level = get_string(message, "level"), *text = get_string(message, "message");
    char *fields = to_json(get(message, "fields"));
    printf("LOG %s %s %s\n", level ? level : "?", text ? text : "", fields);
    free(level); free(text); free(fields);
  } else if (strcmp(kind, "setTimer") == 0) {
    char *timer = get_string(message, "timerId");
    if (timer) timer_set(timer, get_number(message, "ms", 0));
    free(timer);
  } else if (strcmp(kind, "clearTimer") == 0) {
    char *timer = get_string(message, "timerId");
    if (timer) timer_clear(timer);
    free(timer);
  } else if (strcmp(kind, "http") == 0 && id) {
    perform_http(id, get(message, "request"));
  } else if (strcmp(kind, "storage") == 0 && id) {
    perform_storage(id, message);
  } else {
    printf("FATAL unexpected message from JS: %s\n", json);
  }
  fflush(stdout);
  free(kind); free(id);
}

static void drain_outbox(void) {
  while (outbox_head) {
    Msg *m = outbox_head;
    outbox_head = m->next;
    if (!outbox_head) outbox_tail = NULL;
    handle(m->json);
    free(m->json); free(m);
  }
}

/* Runs messages and timers until `deadline` (monotonic ms) or, when waiting, until the answer. */
static void run_until(double deadline) {
  for (;;) {
    drain_outbox();
    if (awaited_id && awaited_done) return;
    if (now_ms() >= deadline) return;
    if (timer_fire_due()) continue;
    double next = timer_next_due(), wake = deadline;
    if (next >= 0 && next < wake) wake = next;
    double pause = wake - now_ms();
    if (pause > 5) pause = 5;
    if (pause > 0) { struct timespec ts = {0, (long)(pause * 1e6)}; nanosleep(&ts, NULL); }
  }
}

/*
 * This host can gzip (zlib), so it says so in `initialize` (R20); the bridge then asks it to
 * compress the bodies the core allows to go compressed. Capabilities a scenario sets itself stay
 * as they are, so a test can play a host without them.
 */
static void declare_capabilities(JSValueRef message) {
  char *kind = get_string(message, "kind");
  int initialize = kind && strcmp(kind, "initialize") == 0;
  free(kind);
  if (!initialize || !JSValueIsUndefined(ctx, get(message, "capabilities"))) return;
  JSStringRef key = JSStringCreateWithUTF8CString("capabilities");
  JSObjectSetProperty(ctx, (JSObjectRef)message, key, parse_json("{\"gzip\":true}"), kJSPropertyAttributeNone, NULL);
  JSStringRelease(key);
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  Buf b = {0}; char chunk[65536]; size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(&b, chunk, n);
  fclose(f);
  return b.data;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s <bundle.js> <storage-directory> < scenario.jsonl\n", argv[0]); return 64; }
  storage_dir = argv[2];
  mkdir(storage_dir, 0700);
  char *bundle = read_file(argv[1]);
  if (!bundle) { fprintf(stderr, "cannot read %s\n", argv[1]); return 66; }
  curl_global_init(CURL_GLOBAL_DEFAULT);

  ctx = JSGlobalContextCreate(NULL);
  JSValueRef exception = NULL;
  JSStringRef source = JSStringCreateWithUTF8CString(bundle);
  JSStringRef url = JSStringCreateWithUTF8CString("jwt-sync-bridge.js");
  JSEvaluateScript(ctx, source, NULL, url, 1, &exception);
  JSStringRelease(source); JSStringRelease(url); free(bundle);
  if (exception) { print_exception("bundle", exception); return 65; }

  /* JwtSyncBridge.create(hostFunction).receive: the only two things the host touches. */
  JSValueRef global_bridge = get(JSContextGetGlobalObject(ctx), "JwtSyncBridge");
  JSValueRef create = get(global_bridge, "create");
  if (!JSValueIsObject(ctx, create)) { printf("FATAL bundle defines no JwtSyncBridge.create\n"); return 65; }
  JSStringRef host_name = JSStringCreateWithUTF8CString("jwtSyncHost");
  JSValueRef host = JSObjectMakeFunctionWithCallback(ctx, host_name, host_function);
  JSStringRelease(host_name);
  JSValueRef handle_value = JSObjectCallAsFunction(ctx, (JSObjectRef)create, NULL, 1, &host, &exception);
  if (exception || !JSValueIsObject(ctx, handle_value)) { print_exception("create", exception); return 65; }
  JSValueRef receive = get(handle_value, "receive");
  if (!JSValueIsObject(ctx, receive)) { printf("FATAL bridge has no receive\n"); return 65; }
  receive_fn = (JSObjectRef)receive;
  JSValueProtect(ctx, receive_fn);

  char *line = NULL; size_t cap = 0; ssize_t len;
  while ((len = getline(&line, &cap, stdin)) > 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
    if (len == 0) continue;
    JSValueRef step = parse_json(line);
    if (!step || !JSValueIsObject(ctx, step)) { printf("FATAL scenario line is not a JSON object: %s\n", line); continue; }
    JSValueRef send = get(step, "send");
    char *echo = get_string(step, "echo");
    double sleep = get_number(step, "sleep", -1);
    if (echo) { printf("ECHO %s\n", echo); fflush(stdout); free(echo); }
    if (sleep >= 0) run_until(now_ms() + sleep);
    if (JSValueIsObject(ctx, send)) {
      declare_capabilities(send);
      char *json = to_json(send);
      free(awaited_id);
      awaited_id = get_string(send, "id");
      awaited_done = 0;
      deliver(json);
      free(json);
      run_until(now_ms() + (awaited_id ? 60000 : 0));
      if (awaited_id && !awaited_done) printf("FATAL no answer to %s within 60 s\n", awaited_id);
      free(awaited_id); awaited_id = NULL;
      fflush(stdout);
    }
  }
  free(line);
  drain_outbox();
  JSValueUnprotect(ctx, receive_fn);
  JSGlobalContextRelease(ctx);
  curl_global_cleanup();
  return 0;
}
