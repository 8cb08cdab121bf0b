/* The HTTP side, on libmicrohttpd's own thread. It answers from what the
 * audit side last published and does no other work per request, so no
 * request can make the exporter read, compute or allocate more than one
 * response header's worth. Connections are accepted by a thread of ours,
 * which admits them by admit.h's rules, hands them to libmicrohttpd and
 * closes those whose time is up. */
#include "serve.h"

#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../measure/probe.h"
#include "../output/prom.h"
#include "admit.h"

struct http_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	struct exposition *current;
	int listen_fd;
	pthread_t acceptor;
	bool accepting;
	atomic_bool stopping;
	pthread_mutex_t slots_lock; /* the acceptor's and libmicrohttpd's threads */
	struct slots slots;
};

static int connection_fd(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	return info ? info->connect_fd : -1;
}

/* Its slot's clock starts again: a request is in whole (ANSWERING), or an
 * answer is done (not). */
static void mark(struct http_server *h, struct MHD_Connection *c, bool answering)
{
	int fd = connection_fd(c);
	int64_t now = probe_now_ns();
	pthread_mutex_lock(&h->slots_lock);
	int i = slots_find(&h->slots, fd);
	if (answering)
		slots_answering(&h->slots, i, now);
	else
		slots_waiting(&h->slots, i, now);
	pthread_mutex_unlock(&h->slots_lock);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode toe)
{
	(void)state;
	(void)toe;
	mark(cls, c, false);
}

/* libmicrohttpd tells of a connection's end before it closes the socket,
 * so a slot never names a descriptor that has been reused. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_state,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *h = cls;
	(void)socket_state;
	if (toe != MHD_CONNECTION_NOTIFY_CLOSED)
		return;
	int fd = connection_fd(c);
	pthread_mutex_lock(&h->slots_lock);
	slots_free(&h->slots, slots_find(&h->slots, fd));
	pthread_mutex_unlock(&h->slots_lock);
}

/* Ends a connection libmicrohttpd holds: it sees the end and closes it. */
static void end_connection(struct http_server *h, int i)
{
	shutdown(h->slots.s[i].fd, SHUT_RDWR);
}

static void accept_some(struct http_server *h)
{
	/* a bounded batch: the deadlines are looked at between batches */
	for (int k = 0; k < SERVE_MAX_CONNECTIONS; k++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(h->listen_fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		int evict;
		pthread_mutex_lock(&h->slots_lock);
		int i = slots_admit(&h->slots, fd, &peer, probe_now_ns(), &evict);
		if (evict >= 0)
			end_connection(h, evict);
		pthread_mutex_unlock(&h->slots_lock);
		if (i < 0) {
			close(fd); /* refused, not queued */
			continue;
		}
		if (MHD_add_connection(h->daemon, fd, (struct sockaddr *)&peer, len) != MHD_YES) {
			/* closed by libmicrohttpd already, and never told of */
			pthread_mutex_lock(&h->slots_lock);
			slots_free(&h->slots, i);
			pthread_mutex_unlock(&h->slots_lock);
		}
	}
}

static void end_expired(struct http_server *h)
{
	int64_t now = probe_now_ns();
	int at = 0, i;
	pthread_mutex_lock(&h->slots_lock);
	while ((i = slots_expired(&h->slots, now, &at)) >= 0)
		end_connection(h, i);
	pthread_mutex_unlock(&h->slots_lock);
}

static void *acceptor(void *arg)
{
	struct http_server *h = arg;
	while (!atomic_load(&h->stopping)) {
		/* a tenth of a second: how late a deadline may be kept */
		struct pollfd p = { .fd = h->listen_fd, .events = POLLIN };
		if (poll(&p, 1, 100) > 0 && (p.revents & POLLIN))
			accept_some(h);
		end_expired(h);
	}
	return NULL;
}

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
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		mark(cls, c, true);
		return fixed(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     "only GET and HEAD\n");
	}
	if (!*state) {
		mark(cls, c, true);
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
	pthread_mutex_init(&h->slots_lock, NULL);
	slots_init(&h->slots);
	h->listen_fd = listen_fd;
	/* one thread: a scrape is a send of a buffer already written. The
	 * limits are admit.h's, kept by the acceptor; libmicrohttpd's own are
	 * there only so that it never refuses what the acceptor admitted. */
	h->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC, 0, NULL,
		NULL, answer, h,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)ADMIT_SLOTS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_IDLE_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_REQUEST_MAX,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
		MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(err, errsz, "libmicrohttpd could not start");
		goto fail;
	}
	if (pthread_create(&h->acceptor, NULL, acceptor, h)) {
		snprintf(err, errsz, "cannot start the thread that accepts connections");
		MHD_stop_daemon(h->daemon);
		goto fail;
	}
	h->accepting = true;
	return h;
fail:
	pthread_mutex_destroy(&h->slots_lock);
	pthread_mutex_destroy(&h->lock);
	free(h);
	return NULL;
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
	atomic_store(&h->stopping, true);
	if (h->accepting)
		pthread_join(h->acceptor, NULL);
	MHD_stop_daemon(h->daemon);
	close(h->listen_fd);
	exposition_release(h->current);
	pthread_mutex_destroy(&h->slots_lock);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
