/* Time to first byte with libcurl: a fresh connection, DNS lookup and full
 * TLS handshake per request by default, as a load balancer's first byte
 * costs (libcurl would resume TLS sessions across fresh connections:
 * curl/curl: docs/libcurl/opts/CURLOPT_SSL_SESSIONID_CACHE.md); --reuse
 * keeps them. Every answer is
 * timed, whatever its status, and counted by it; only requests without a
 * whole answer are failures. With --rate the requests follow an open-loop
 * schedule and each is timed from when it was due, so one stall shows in
 * every request it delays (no coordinated omission). */
#include "ttfb.h"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>

#include "../measure/probe.h"

const char *ttfb_failure_name(enum ttfb_failure f)
{
	static const char *const names[] = { "incomplete answer", "tls", "timeout", "connect", "dns", "redirect",
					     "other" };
	return f < FAIL_KINDS ? names[f] : "?";
}

/* What one transfer saw, from libcurl's callbacks. */
struct transfer {
	CURL *h;
	struct ttfb_result *r;
	bool https;
	bool in_block, complete, status_seen;
	bool tls_checked;
	bool count_tls;
};

static size_t discard(char *p, size_t size, size_t n, void *user)
{
	(void)p;
	(void)user;
	return size * n;
}

/* Whether the session was resumed, asked of OpenSSL while the connection
 * is still open (after the transfer it may be gone). */
static void check_tls(struct transfer *t)
{
	struct curl_tlssessioninfo *info = NULL;
	t->tls_checked = true;
	if (!t->https || !t->count_tls ||
	    curl_easy_getinfo(t->h, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || !info ||
	    info->backend != CURLSSLBACKEND_OPENSSL || !info->internals)
		return;
	if (SSL_session_reused((SSL *)info->internals))
		t->r->tls_resumed++;
	else
		t->r->tls_full++;
}

/* A header block ends with an empty line; an answer cut before it is not
 * an answer, whatever its status line said. */
static size_t on_header(char *p, size_t size, size_t n, void *user)
{
	struct transfer *t = user;
	size_t len = size * n;
	if (!t->tls_checked)
		check_tls(t);
	if (len >= 5 && !memcmp(p, "HTTP/", 5)) {
		t->in_block = true;
		t->complete = false;
		t->status_seen = true;
	} else if ((len == 2 && p[0] == '\r' && p[1] == '\n') || (len == 1 && p[0] == '\n')) {
		if (t->in_block)
			t->complete = true;
		t->in_block = false;
	}
	return len;
}

/* Ctrl-C ends the transfer under way within libcurl's next call. */
static int on_progress(void *user, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)user, (void)a, (void)b, (void)c, (void)d;
	return probe_interrupted();
}

static enum ttfb_failure classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return FAIL_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
		return FAIL_CONNECT;
	case CURLE_COULDNT_RESOLVE_HOST:
		return FAIL_DNS;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		return FAIL_TLS;
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return FAIL_REDIRECT;
	default:
		return FAIL_OTHER;
	}
}

static void fail(struct ttfb_result *r, enum ttfb_failure f, const char *msg)
{
	if (!r->failures[f]++)
		snprintf(r->first_error[f], sizeof(r->first_error[f]), "%.159s", msg);
}

static int64_t us_of(CURL *h, CURLINFO what)
{
	curl_off_t v = 0;
	return curl_easy_getinfo(h, what, &v) == CURLE_OK ? (int64_t)v : 0;
}

static void count_status(struct ttfb_result *r, long code)
{
	if (code >= 400)
		r->error_answers++;
	for (int i = 0; i < r->nstatus; i++)
		if (r->status_code[i] == code) {
			r->status_count[i]++;
			return;
		}
	if (r->nstatus == TTFB_STATUSES) {
		r->status_other++;
		return;
	}
	r->status_code[r->nstatus] = code;
	r->status_count[r->nstatus++] = 1;
}

/* http or https only; without a scheme, http (as curl guesses). The URL
 * with its scheme into OUT. */
static int check_url(const char *url, char *out, size_t outsz, char *err, size_t errsz)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *full = NULL;
	int rc = -1;
	if (!u || curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
		snprintf(err, errsz, "'%s' is not a URL", url);
	} else if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https")) {
		snprintf(err, errsz, "'%s': only http and https URLs are timed, not %s", url, scheme);
	} else if (strlen(full) >= outsz) {
		snprintf(err, errsz, "'%.60s...': a URL of at most %zu bytes", url, outsz - 1);
	} else {
		snprintf(out, outsz, "%s", full);
		rc = 0;
	}
	curl_free(scheme);
	curl_free(full);
	curl_url_cleanup(u);
	return rc;
}

static const char *const proxy_vars[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
					  "ALL_PROXY" };

struct handle {
	CURL *h;
	struct curl_slist *headers, *resolve;
	char err[CURL_ERROR_SIZE];
	struct transfer t;
};

static int setup(struct handle *hd, const struct ttfb_options *o, struct ttfb_result *r, char *err, size_t errsz)
{
	CURL *h = hd->h = curl_easy_init();
	if (!h) {
		snprintf(err, errsz, "libcurl could not start");
		return -1;
	}
	for (int i = 0; i < o->nheaders; i++)
		if (!(hd->headers = curl_slist_append(hd->headers, o->headers[i])))
			goto oom;
	for (int i = 0; i < o->nresolve; i++)
		if (!(hd->resolve = curl_slist_append(hd->resolve, o->resolve[i])))
			goto oom;
	hd->t.h = h;
	hd->t.r = r;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &hd->t);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, hd->err);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(o->timeout_s * 1000));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "latdoc-ttfb");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* redirects are followed here, hop by hop, each timed */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd->headers);
	curl_easy_setopt(h, CURLOPT_RESOLVE, hd->resolve);
	if (o->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
	if (o->http == TTFB_HTTP_1_1)
		curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	else if (o->http == TTFB_HTTP_2)
		curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_0);
	/* an empty proxy is none, whatever the environment says: the time is
	 * to the server, unless a proxy is asked for */
	curl_easy_setopt(h, CURLOPT_PROXY, o->proxy ? o->proxy : "");
	if (o->proxy) {
		snprintf(r->proxy_note, sizeof(r->proxy_note), "through the proxy %s", o->proxy);
	} else {
		for (size_t i = 0; i < sizeof(proxy_vars) / sizeof(proxy_vars[0]); i++) {
			const char *v = getenv(proxy_vars[i]);
			if (v && *v) {
				snprintf(r->proxy_note, sizeof(r->proxy_note),
					 "%s is set (%.80s) and not used: the times are to the server itself; "
					 "--proxy URL goes through a proxy", proxy_vars[i], v);
				break;
			}
		}
	}
	if (!o->reuse) {
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(h, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	}
	return 0;
oom:
	snprintf(err, errsz, "out of memory");
	return -1;
}

static void cleanup(struct handle *hd)
{
	if (hd->h)
		curl_easy_cleanup(hd->h);
	curl_slist_free_all(hd->headers);
	curl_slist_free_all(hd->resolve);
}

/* Samples of every hop and across them, taken once, for COUNT requests. */
struct recorder {
	struct samples p[TTFB_MAX_HOPS][6];
	struct samples end_ttfb, end_total, late;
};

static int recorder_init(struct recorder *rec, size_t n)
{
	memset(rec, 0, sizeof(*rec));
	int err = samples_init(&rec->end_ttfb, n) | samples_init(&rec->end_total, n) | samples_init(&rec->late, n);
	for (int h = 0; h < TTFB_MAX_HOPS; h++)
		for (int k = 0; k < 6; k++)
			err |= samples_init(&rec->p[h][k], h ? 0 : n); /* later hops grow as they come */
	return err;
}

static void recorder_free(struct recorder *rec)
{
	samples_free(&rec->end_ttfb);
	samples_free(&rec->end_total);
	samples_free(&rec->late);
	for (int h = 0; h < TTFB_MAX_HOPS; h++)
		for (int k = 0; k < 6; k++)
			samples_free(&rec->p[h][k]);
}

/* One hop: its phases, and its first byte and total from the request's
 * start (LAG: how late it started, BEFORE: the hops before it). */
static void record_hop(struct recorder *rec, int hop, CURL *h, size_t cap)
{
	struct samples *s = rec->p[hop];
	if (!s[0].cap)
		for (int k = 0; k < 6; k++) {
			samples_free(&s[k]);
			if (samples_init(&s[k], cap))
				return;
		}
	int64_t nl = us_of(h, CURLINFO_NAMELOOKUP_TIME_T), co = us_of(h, CURLINFO_CONNECT_TIME_T);
	int64_t ap = us_of(h, CURLINFO_APPCONNECT_TIME_T), pre = us_of(h, CURLINFO_PRETRANSFER_TIME_T);
	int64_t st = us_of(h, CURLINFO_STARTTRANSFER_TIME_T), to = us_of(h, CURLINFO_TOTAL_TIME_T);
	samples_add(&s[0], nl * 1000);
	samples_add(&s[1], (co > nl ? co - nl : 0) * 1000);
	samples_add(&s[2], (ap > co ? ap - co : 0) * 1000);
	samples_add(&s[3], (st > pre ? st - pre : 0) * 1000);
	samples_add(&s[4], st * 1000);
	samples_add(&s[5], to * 1000);
}

enum outcome { ANSWERED, FAILED, INTERRUPTED };

/* One request, hop by hop with --location. */
static enum outcome request(struct handle *hd, const struct ttfb_options *o, struct ttfb_result *r,
			    struct recorder *rec, bool counted, int64_t lag)
{
	char url[512];
	int64_t before = 0;
	snprintf(url, sizeof(url), "%s", r->url);
	for (int hop = 0;; hop++) {
		CURL *h = hd->h;
		hd->t = (struct transfer){ .h = h, .r = r, .https = !strncasecmp(url, "https:", 6), .count_tls = counted };
		hd->err[0] = '\0';
		curl_easy_setopt(h, CURLOPT_URL, url);
		CURLcode res = curl_easy_perform(h);
		if (res == CURLE_ABORTED_BY_CALLBACK && probe_interrupted())
			return INTERRUPTED;
		const char *cerr = hd->err[0] ? hd->err : curl_easy_strerror(res);
		char msg[200];
		enum ttfb_failure kind = FAIL_KINDS;
		if (res == CURLE_OPERATION_TIMEDOUT || (res != CURLE_OK && !hd->t.status_seen)) {
			kind = classify(res);
			snprintf(msg, sizeof(msg), "%.150s", cerr);
		} else if (!hd->t.complete) {
			kind = FAIL_INCOMPLETE;
			snprintf(msg, sizeof(msg), "the header block never ended (%.120s)",
				 res == CURLE_OK ? "the server closed the connection" : cerr);
		} else if (res != CURLE_OK) {
			kind = FAIL_INCOMPLETE;
			snprintf(msg, sizeof(msg), "the body was cut short (%.120s)", cerr);
		}
		if (kind != FAIL_KINDS) {
			if (counted)
				fail(r, kind, msg);
			return FAILED;
		}
		long status = 0, connects = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
		if (counted) {
			if (connects)
				r->new_connections += connects;
			else
				r->reused_connections++;
			if (hop >= r->nhops) {
				r->nhops = hop + 1;
				snprintf(r->hops[hop].url, sizeof(r->hops[hop].url), "%s", url);
			}
			record_hop(rec, hop, h, (size_t)o->count);
			long v = 0;
			curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &v);
			snprintf(r->http_version, sizeof(r->http_version), "%s",
				 v == CURL_HTTP_VERSION_2_0 ? "HTTP/2" : v == CURL_HTTP_VERSION_1_0 ? "HTTP/1.0" : "HTTP/1.1");
		}
		char *next = NULL;
		bool follow = o->location && status >= 300 && status < 400 &&
			      curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next) == CURLE_OK && next;
		if (!follow) {
			if (counted) {
				int64_t st = us_of(h, CURLINFO_STARTTRANSFER_TIME_T), to = us_of(h, CURLINFO_TOTAL_TIME_T);
				samples_add(&rec->end_ttfb, (before + st) * 1000 + lag);
				samples_add(&rec->end_total, (before + to) * 1000 + lag);
				count_status(r, status);
				r->answered++;
			}
			return ANSWERED;
		}
		before += us_of(h, CURLINFO_TOTAL_TIME_T);
		char e[160];
		if (hop + 1 == TTFB_MAX_HOPS) {
			snprintf(e, sizeof(e), "more than %d redirects", TTFB_MAX_HOPS - 1);
		} else if (strncasecmp(next, "http://", 7) && strncasecmp(next, "https://", 8)) {
			snprintf(e, sizeof(e), "a redirect to another scheme: %.100s", next);
		} else if (strlen(next) >= sizeof(url)) {
			snprintf(e, sizeof(e), "a redirect to a URL over %zu bytes", sizeof(url) - 1);
		} else {
			snprintf(url, sizeof(url), "%s", next);
			continue;
		}
		if (counted)
			fail(r, FAIL_REDIRECT, e);
		return FAILED;
	}
}

int ttfb_run(const struct ttfb_options *o, struct ttfb_result *r, char *err, size_t errsz)
{
	struct recorder *rec = malloc(sizeof(*rec));
	struct handle hd = { 0 };
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->count = o->count;
	r->scheduled = o->rate > 0;
	if (!rec || recorder_init(rec, (size_t)o->count)) {
		snprintf(err, errsz, "out of memory");
		if (rec)
			recorder_free(rec);
		free(rec);
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		snprintf(err, errsz, "libcurl could not start");
		goto out;
	}
	if (check_url(o->url, r->url, sizeof(r->url), err, errsz) || setup(&hd, o, r, err, errsz))
		goto out;
	/* a schedule's sleeps end within the timer slack: 1 ns, not 50 us */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	/* one request first, not counted: the first pays for loading libraries
	 * and warming caches that no later one pays for */
	if (request(&hd, o, r, rec, false, 0) == INTERRUPTED)
		r->interrupted = true;
	int64_t start = probe_now_ns(), last = start;
	for (long i = 0; i < o->count && !r->interrupted; i++) {
		int64_t due = r->scheduled ? start + (int64_t)((double)i * 1e9 / o->rate) : probe_now_ns();
		if (r->scheduled && due > probe_now_ns() && !probe_sleep_until(due)) {
			r->interrupted = true;
			break;
		}
		int64_t lag = probe_now_ns() - due;
		if (r->scheduled)
			samples_add(&rec->late, lag);
		if (request(&hd, o, r, rec, true, lag) == INTERRUPTED) {
			r->interrupted = true;
			break;
		}
		if (o->live && probe_now_ns() - last > 200000000) {
			last = probe_now_ns();
			fprintf(stderr, "\r\033[K%ld of %ld requests, %ld answered", i + 1, o->count, r->answered);
		}
	}
	if (o->live)
		fprintf(stderr, "\r\033[K");
	r->elapsed_s = (double)(probe_now_ns() - start) / 1e9;
	for (int h = 0; h < r->nhops; h++) {
		struct summary *dst[6] = { &r->hops[h].p.dns,	 &r->hops[h].p.connect, &r->hops[h].p.tls,
					   &r->hops[h].p.server, &r->hops[h].p.ttfb,	&r->hops[h].p.total };
		for (int k = 0; k < 6; k++)
			samples_summarise(&rec->p[h][k], dst[k]);
	}
	samples_summarise(&rec->end_ttfb, &r->end_ttfb);
	samples_summarise(&rec->end_total, &r->end_total);
	samples_summarise(&rec->late, &r->late);
	rc = 0;
out:
	cleanup(&hd);
	curl_global_cleanup();
	recorder_free(rec);
	free(rec);
	return rc;
}
