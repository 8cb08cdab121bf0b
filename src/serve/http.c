/* The HTTP side, on libmicrohttpd's own thread. It answers from what the
 * audit side last published and does no other work per request, so no
 * request can make the exporter read, compute or allocate more than one
 * response header's worth. */
#include "serve.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../output/prom.h"

struct http_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	struct exposition *current;
};

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>latdoc exporter</title></head>\n"
	"<body><h1>latdoc exporter</h1>\n"
	"<p>The settings that cost this machine latency, audited by latdoc, as Prometheus metrics.</p>\n"
	"<ul><li><a href=\"/metrics\">/metrics</a></li></ul>\n"
	"<p>What each metric means: docs/METRICS.md, or <code>man latdoc</code>.</p>\n"
	"</body></html>\n";

void exposition_release(struct exposition *e)
{
	if (e && atomic_fetch_sub(&e->refs, 1) == 1) {
		free(e->text);
		free(e->openmetrics);
		free(e);
	}
}

static void release_cb(void *cls)
{
	exposition_release(cls);
}

static struct exposition *current(struct http_server *h)
{
	pthread_mutex_lock(&h->lock);
	struct exposition *e = h->current;
	if (e)
		atomic_fetch_add(&e->refs, 1);
	pthread_mutex_unlock(&h->lock);
	return e;
}

/* A fixed answer: a static page or a short error. */
static enum MHD_Result fixed(struct MHD_Connection *c, unsigned status, const char *type, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result metrics(struct http_server *h, struct MHD_Connection *c)
{
	struct exposition *e = current(h);
	if (!e)
		return fixed(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
			     "no audit has finished yet\n");
	enum prom_format fmt =
		prom_negotiate(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	bool om = fmt == PROM_OPENMETRICS;
	struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
		om ? e->openmetrics_len : e->text_len, om ? e->openmetrics : e->text, release_cb, e);
	if (!r) {
		exposition_release(e);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, om ? PROM_OPENMETRICS_TYPE : PROM_TEXT_TYPE);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_size, void **state)
{
	static int seen;
	(void)version;
	(void)upload_data;
	/* Refused on the first call, before any body is read (libmicrohttpd
	 * then closes the connection): another method, and a GET that says it
	 * has a body. The rest is answered on the second call, once the
	 * headers are all in: a response queued on the first call closes the
	 * connection, and a scraper keeps its connection between scrapes. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return fixed(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     "only GET and HEAD\n");
	if (!*state) {
		const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if ((len && strcmp(len, "0")) ||
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
			return fixed(c, MHD_HTTP_BAD_REQUEST, "text/plain; charset=utf-8", "a GET has no body\n");
		*state = &seen;
		return MHD_YES;
	}
	if (*upload_size) /* a body after all: not read, not answered */
		return MHD_NO;
	if (!strcmp(url, "/metrics"))
		return metrics(cls, c);
	if (!strcmp(url, "/"))
		return fixed(c, MHD_HTTP_OK, "text/html; charset=utf-8", index_page);
	return fixed(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", "not found: see / and /metrics\n");
}

struct http_server *http_start(int listen_fd, char *err, size_t errsz)
{
	struct http_server *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	/* one thread: a scrape is a send of a buffer already written */
	h->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, answer, h,
		MHD_OPTION_LISTEN_SOCKET, listen_fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVE_MAX_PER_ADDRESS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_IDLE_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_REQUEST_MAX,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(err, errsz, "libmicrohttpd could not start on the listening socket");
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	return h;
}

void http_publish(struct http_server *h, struct exposition *e)
{
	pthread_mutex_lock(&h->lock);
	struct exposition *old = h->current;
	h->current = e;
	pthread_mutex_unlock(&h->lock);
	exposition_release(old);
}

void http_stop(struct http_server *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	exposition_release(h->current);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
