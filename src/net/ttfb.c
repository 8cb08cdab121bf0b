/* Time to first byte with libcurl: a fresh connection (and DNS lookup) per
 * request by default, as a load balancer's first byte costs; --reuse keeps
 * it. With --rate the requests follow an open-loop schedule and each is
 * timed from when it was due, so one stall shows in every request it
 * delays (no coordinated omission). */
#include "ttfb.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../measure/probe.h"

const char *ttfb_failure_name(enum ttfb_failure f)
{
	static const char *const names[] = { "http error", "redirect", "tls", "timeout", "connect", "dns", "other" };
	return f < FAIL_KINDS ? names[f] : "?";
}

static size_t discard(char *p, size_t size, size_t n, void *user)
{
	(void)p;
	(void)user;
	return size * n;
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
	default:
		return FAIL_OTHER;
	}
}

static void fail(struct ttfb_result *r, enum ttfb_failure f, const char *msg)
{
	if (!r->failures[f]++)
		snprintf(r->first_error[f], sizeof(r->first_error[f]), "%s", msg);
}

static int64_t us_of(CURL *h, CURLINFO what)
{
	curl_off_t v = 0;
	return curl_easy_getinfo(h, what, &v) == CURLE_OK ? (int64_t)v : 0;
}

int ttfb_run(const struct ttfb_options *o, struct ttfb_result *r, char *err, size_t errsz)
{
	struct samples dns = { 0 }, conn = { 0 }, tls = { 0 }, server = { 0 }, ttfb = { 0 }, total = { 0 },
		       late = { 0 };
	char curl_err[CURL_ERROR_SIZE];
	CURL *h = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	snprintf(r->url, sizeof(r->url), "%s", o->url);
	r->count = o->count;
	r->scheduled = o->rate > 0;
	size_t n = (size_t)o->count;
	if (samples_init(&dns, n) || samples_init(&conn, n) || samples_init(&tls, n) || samples_init(&server, n) ||
	    samples_init(&ttfb, n) || samples_init(&total, n) || samples_init(&late, n)) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(h = curl_easy_init())) {
		snprintf(err, errsz, "libcurl could not start");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, o->url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(o->timeout_s * 1000));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "latdoc-ttfb");
	/* redirects are counted, not followed: the first byte is what is asked */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (!o->reuse) {
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(h, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
	}
	CURLU *u = curl_url();
	bool bad_url = !u || curl_url_set(u, CURLUPART_URL, o->url, 0) != CURLUE_OK;
	curl_url_cleanup(u);
	if (bad_url) {
		snprintf(err, errsz, "'%s' is not a URL", o->url);
		goto out;
	}
	int64_t start = probe_now_ns(), last = start;
	for (long i = 0; i < o->count; i++) {
		int64_t due = r->scheduled ? start + (int64_t)((double)i * 1e9 / o->rate) : probe_now_ns();
		if (r->scheduled && due > probe_now_ns())
			probe_sleep_ns(due - probe_now_ns());
		int64_t lag = probe_now_ns() - due;
		curl_err[0] = '\0';
		CURLcode res = curl_easy_perform(h);
		long status = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (res != CURLE_OK) {
			fail(r, classify(res), curl_err[0] ? curl_err : curl_easy_strerror(res));
		} else if (status >= 300 && status < 400) {
			char msg[64];
			snprintf(msg, sizeof(msg), "HTTP %ld", status);
			fail(r, FAIL_REDIRECT, msg);
		} else if (status >= 400) {
			char msg[64];
			snprintf(msg, sizeof(msg), "HTTP %ld", status);
			fail(r, FAIL_HTTP, msg);
		} else {
			int64_t nl = us_of(h, CURLINFO_NAMELOOKUP_TIME_T), co = us_of(h, CURLINFO_CONNECT_TIME_T);
			int64_t ap = us_of(h, CURLINFO_APPCONNECT_TIME_T), pre = us_of(h, CURLINFO_PRETRANSFER_TIME_T);
			int64_t st = us_of(h, CURLINFO_STARTTRANSFER_TIME_T), to = us_of(h, CURLINFO_TOTAL_TIME_T);
			r->ok++;
			samples_add(&dns, nl * 1000);
			samples_add(&conn, (co > nl ? co - nl : 0) * 1000);
			samples_add(&tls, (ap > co ? ap - co : 0) * 1000);
			samples_add(&server, (st > pre ? st - pre : 0) * 1000);
			samples_add(&ttfb, st * 1000 + lag);
			samples_add(&total, to * 1000 + lag);
			if (r->scheduled)
				samples_add(&late, lag);
		}
		if (o->live && probe_now_ns() - last > 200000000) {
			last = probe_now_ns();
			fprintf(stderr, "\r\033[K%ld of %ld requests, %ld ok", i + 1, o->count, r->ok);
		}
	}
	if (o->live)
		fprintf(stderr, "\r\033[K");
	r->elapsed_s = (double)(probe_now_ns() - start) / 1e9;
	samples_summarise(&dns, &r->dns);
	samples_summarise(&conn, &r->connect);
	samples_summarise(&tls, &r->tls);
	samples_summarise(&server, &r->server);
	samples_summarise(&ttfb, &r->ttfb);
	samples_summarise(&total, &r->total);
	samples_summarise(&late, &r->late);
	rc = 0;
out:
	if (h)
		curl_easy_cleanup(h);
	curl_global_cleanup();
	samples_free(&dns);
	samples_free(&conn);
	samples_free(&tls);
	samples_free(&server);
	samples_free(&ttfb);
	samples_free(&total);
	samples_free(&late);
	return rc;
}
