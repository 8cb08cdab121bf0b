/* rtt and ttfb results, for a terminal and as JSON. */
#include "net_report.h"

#include <stdio.h>

#include "json_util.h"

static const char *const head = "                         samples     min     p50     p90     p99   p99.9      max  (us)\n";

void summary_row(FILE *out, const char *label, const struct summary *s)
{
	if (!s->count) {
		fprintf(out, "  %-22s none\n", label);
		return;
	}
	fprintf(out, "  %-22s %7zu %7.1f %7.1f %7.1f %7.1f %7.1f %8.1f\n", label, s->count, s->min_us, s->p50_us,
		s->p90_us, s->p99_us, s->p999_us, s->max_us);
}

void output_rtt_text(FILE *out, const struct rtt_result *r, long size, long long interval_ns)
{
	fprintf(out, "latdoc rtt: %s, %s, %ld-byte probes, ", r->peer, r->tcp ? "TCP" : "UDP", size);
	if (r->paced)
		fprintf(out, "paced every %.0f us (+-10%%)\n", (double)interval_ns / 1000.0);
	else
		fprintf(out, "back to back\n");
	fprintf(out, "  %llu sent, %llu received, %llu lost, %llu duplicates, %llu reordered", (unsigned long long)r->sent,
		(unsigned long long)r->received, (unsigned long long)r->lost, (unsigned long long)r->duplicates,
		(unsigned long long)r->reordered);
	if (r->bad)
		fprintf(out, ", %llu not ours", (unsigned long long)r->bad);
	fprintf(out, ", in %.2f s\n", r->elapsed_s);
	fputs(head, out);
	summary_row(out, r->paced ? "round trip (from due)" : "round trip", &r->rtt);
	if (r->network.count)
		summary_row(out, "to kernel receive", &r->network);
	if (r->paced)
		summary_row(out, "send lateness", &r->send_late);
}

int output_rtt_json(FILE *out, const struct rtt_result *r, long size, long long interval_ns)
{
	json_object *o = json_object_new_object(), *x = json_object_new_object();
	if (!o || !x)
		return -1;
	json_add(o, "schema", json_object_new_int(JSON_SCHEMA));
	json_add(x, "peer", json_object_new_string(r->peer));
	json_add(x, "protocol", json_object_new_string(r->tcp ? "tcp" : "udp"));
	json_add(x, "mode", json_object_new_string(r->paced ? "paced" : "back-to-back"));
	json_add(x, "interval_us", r->paced ? json_object_new_double((double)interval_ns / 1000.0) : NULL);
	json_add(x, "size", json_object_new_int64(size));
	json_add(x, "sent", json_object_new_int64((int64_t)r->sent));
	json_add(x, "received", json_object_new_int64((int64_t)r->received));
	json_add(x, "lost", json_object_new_int64((int64_t)r->lost));
	json_add(x, "duplicates", json_object_new_int64((int64_t)r->duplicates));
	json_add(x, "reordered", json_object_new_int64((int64_t)r->reordered));
	json_add(x, "not_ours", json_object_new_int64((int64_t)r->bad));
	json_add(x, "elapsed_s", json_object_new_double(r->elapsed_s));
	json_add(x, "rtt", json_summary(&r->rtt));
	json_add(x, "to_kernel_receive", r->network.count ? json_summary(&r->network) : NULL);
	json_add(x, "send_lateness", r->paced ? json_summary(&r->send_late) : NULL);
	json_add(o, "rtt", x);
	return json_write(out, o);
}

void output_ttfb_text(FILE *out, const struct ttfb_result *r)
{
	long failed = 0;
	for (int f = 0; f < FAIL_KINDS; f++)
		failed += r->failures[f];
	fprintf(out, "latdoc ttfb: %s\n  %ld requests, %ld answered 2xx, %ld failed, in %.2f s\n", r->url, r->count,
		r->ok, failed, r->elapsed_s);
	fputs(head, out);
	summary_row(out, "DNS", &r->dns);
	summary_row(out, "TCP connect", &r->connect);
	summary_row(out, "TLS", &r->tls);
	summary_row(out, "sent to first byte", &r->server);
	summary_row(out, r->scheduled ? "first byte (from due)" : "first byte", &r->ttfb);
	summary_row(out, r->scheduled ? "total (from due)" : "total", &r->total);
	if (r->scheduled)
		summary_row(out, "start lateness", &r->late);
	for (int f = 0; f < FAIL_KINDS; f++)
		if (r->failures[f])
			fprintf(out, "  %ld %s: %s\n", r->failures[f], ttfb_failure_name(f), r->first_error[f]);
}

int output_ttfb_json(FILE *out, const struct ttfb_result *r)
{
	json_object *o = json_object_new_object(), *x = json_object_new_object();
	json_object *fails = json_object_new_object();
	if (!o || !x || !fails)
		return -1;
	json_add(o, "schema", json_object_new_int(JSON_SCHEMA));
	json_add(x, "url", json_object_new_string(r->url));
	json_add(x, "requests", json_object_new_int64(r->count));
	json_add(x, "ok", json_object_new_int64(r->ok));
	json_add(x, "scheduled", json_object_new_boolean(r->scheduled));
	json_add(x, "elapsed_s", json_object_new_double(r->elapsed_s));
	json_add(x, "dns", json_summary(&r->dns));
	json_add(x, "connect", json_summary(&r->connect));
	json_add(x, "tls", json_summary(&r->tls));
	json_add(x, "server", json_summary(&r->server));
	json_add(x, "ttfb", json_summary(&r->ttfb));
	json_add(x, "total", json_summary(&r->total));
	json_add(x, "start_lateness", r->scheduled ? json_summary(&r->late) : NULL);
	for (int f = 0; f < FAIL_KINDS; f++) {
		json_object *e = json_object_new_object();
		json_add(e, "count", json_object_new_int64(r->failures[f]));
		json_add(e, "first", json_str_or_null(r->first_error[f]));
		json_add(fails, ttfb_failure_name(f), e);
	}
	json_add(x, "failures", fails);
	json_add(o, "ttfb", x);
	return json_write(out, o);
}
