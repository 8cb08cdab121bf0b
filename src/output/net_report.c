/* rtt and ttfb results, for a terminal and as JSON. */
#include "net_report.h"

#include <stdio.h>

#include "json_util.h"

static void pct_cell(FILE *out, bool have, double v, int width)
{
	if (have)
		fprintf(out, " %*.1f", width, v);
	else
		fprintf(out, " %*s", width, "-");
}

void summary_row(FILE *out, const char *label, const struct summary *s, const char *tail)
{
	if (!s->count) {
		fprintf(out, "  %-22s none%s%s\n", label, tail ? "  " : "", tail ? tail : "");
		return;
	}
	fprintf(out, "  %-22s %7zu %7.1f %7.1f %7.1f", label, s->count, s->min_us, s->p50_us, s->p90_us);
	pct_cell(out, summary_has_p99(s), s->p99_us, 7);
	pct_cell(out, summary_has_p999(s), s->p999_us, 7);
	fprintf(out, " %8.1f", s->max_us);
	if (tail)
		fprintf(out, "  %s", tail);
	fputc('\n', out);
}

void output_rtt_text(FILE *out, const struct rtt_result *r, long size, long long interval_ns)
{
	fprintf(out, "latdoc rtt: %s, %s, %ld-byte probes, ", r->peer, r->tcp ? "TCP" : "UDP", size);
	if (r->paced)
		fprintf(out, "paced every %.0f us (+-10%%)", (double)interval_ns / 1000.0);
	else
		fprintf(out, "back to back");
	fprintf(out, ", after %llu warm-up probe%s not counted\n", (unsigned long long)r->warmup,
		r->warmup == 1 ? "" : "s");
	fprintf(out, "  %llu sent, %llu received, %llu lost", (unsigned long long)r->sent,
		(unsigned long long)r->received, (unsigned long long)r->lost);
	if (r->late)
		fprintf(out, " (%llu of them late, after --timeout)", (unsigned long long)r->late);
	fprintf(out, ", %llu duplicates, %llu reordered", (unsigned long long)r->duplicates,
		(unsigned long long)r->reordered);
	if (r->bad)
		fprintf(out, ", %llu not ours", (unsigned long long)r->bad);
	fprintf(out, ", in %.2f s\n", r->elapsed_s);
	fputs(SUMMARY_HEAD "\n", out);
	summary_row(out, "round trip", &r->rtt, NULL);
	if (r->paced)
		summary_row(out, "round trip from due", &r->from_due, NULL);
	if (r->network.count)
		summary_row(out, "to kernel receive", &r->network, NULL);
	if (r->paced)
		summary_row(out, "send lateness", &r->send_late, NULL);
	if (r->paced)
		output_wrapped(out, "round trip counts from each probe's send; from due, from when it was due, "
				    "so the client's own late wake-up shows too", 2, 2);
	if (r->trickled) {
		char why[300];
		snprintf(why, sizeof(why), "bytes came back but no whole reply within --timeout after %llu "
					   "probes%s: the peer answers too slowly, or is not a latdoc rtt --serve.",
			 (unsigned long long)(r->warmup + r->sent), r->gave_up ? ": stopped early" : "");
		output_wrapped(out, why, 2, 2);
	} else if (r->silent) {
		char why[600];
		snprintf(why, sizeof(why),
			 "no reply at all to %llu probes%s. Likely causes: the server "
			 "answers signed probes only (give --key with its key file), or its key differs from "
			 "yours, or the clocks differ by more than 30 s (signed probes carry the time); a "
			 "firewall drops %s to the port on the way; or no latdoc rtt --serve listens at %s.",
			 (unsigned long long)(r->warmup + r->sent), r->gave_up ? ": stopped early" : "",
			 r->tcp ? "TCP" : "UDP", r->peer);
		output_wrapped(out, why, 2, 2);
	}
	if (r->interrupted)
		fprintf(out, "  interrupted: what was measured before Ctrl-C\n");
}

int output_rtt_json(FILE *out, const struct facts *f, const struct rtt_result *r, long size, long long interval_ns)
{
	json_object *o = json_document(f, "/"), *x = json_object_new_object();
	if (!o || !x)
		return -1;
	json_add(x, "peer", json_object_new_string(r->peer));
	json_add(x, "protocol", json_object_new_string(r->tcp ? "tcp" : "udp"));
	json_add(x, "mode", json_object_new_string(r->paced ? "paced" : "back-to-back"));
	json_add(x, "interval_us", r->paced ? json_object_new_double((double)interval_ns / 1000.0) : NULL);
	json_add(x, "size", json_object_new_int64(size));
	json_add(x, "warmup", json_object_new_int64((int64_t)r->warmup));
	json_add(x, "sent", json_object_new_int64((int64_t)r->sent));
	json_add(x, "received", json_object_new_int64((int64_t)r->received));
	json_add(x, "lost", json_object_new_int64((int64_t)r->lost));
	json_add(x, "late", json_object_new_int64((int64_t)r->late));
	json_add(x, "duplicates", json_object_new_int64((int64_t)r->duplicates));
	json_add(x, "reordered", json_object_new_int64((int64_t)r->reordered));
	json_add(x, "not_ours", json_object_new_int64((int64_t)r->bad));
	json_add(x, "elapsed_s", json_object_new_double(r->elapsed_s));
	json_add(x, "silent", json_object_new_boolean(r->silent));
	json_add(x, "trickled", json_object_new_boolean(r->trickled));
	json_add(x, "gave_up", json_object_new_boolean(r->gave_up));
	json_add(x, "interrupted", json_object_new_boolean(r->interrupted));
	json_add(x, "rtt", json_summary(&r->rtt));
	json_add(x, "rtt_from_due", r->paced ? json_summary(&r->from_due) : NULL);
	json_add(x, "to_kernel_receive", r->network.count ? json_summary(&r->network) : NULL);
	json_add(x, "stamps_negative", json_object_new_int64((int64_t)r->stamps_negative));
	json_add(x, "send_lateness", r->paced ? json_summary(&r->send_late) : NULL);
	json_add(o, "rtt", x);
	return json_write(out, o);
}

static void phases_rows(FILE *out, const struct ttfb_phases *p, bool scheduled, bool first)
{
	summary_row(out, "DNS", &p->dns, NULL);
	summary_row(out, "TCP connect", &p->connect, NULL);
	summary_row(out, "TLS", &p->tls, NULL);
	summary_row(out, "sent to first byte", &p->server, NULL);
	summary_row(out, scheduled && first ? "first byte (from due)" : "first byte", &p->ttfb, NULL);
	summary_row(out, scheduled && first ? "total (from due)" : "total", &p->total, NULL);
}

static void statuses(FILE *out, const struct ttfb_result *r)
{
	for (int i = 0; i < r->nstatus; i++)
		fprintf(out, "%s%ld x%ld", i ? ", " : " (", r->status_code[i], r->status_count[i]);
	if (r->status_other)
		fprintf(out, ", other x%ld", r->status_other);
	if (r->nstatus)
		fputc(')', out);
}

void output_ttfb_text(FILE *out, const struct ttfb_result *r)
{
	long failed = 0;
	for (int f = 0; f < FAIL_KINDS; f++)
		failed += r->failures[f];
	fprintf(out, "latdoc ttfb: %s%s%s, after a request not counted\n", r->url, r->http_version[0] ? ", " : "",
		r->http_version);
	fprintf(out, "  %ld requests: %ld answered", r->count, r->answered);
	statuses(out, r);
	fprintf(out, ", %ld failed, in %.2f s\n", failed, r->elapsed_s);
	fprintf(out, "  %ld new connections, %ld reused", r->new_connections, r->reused_connections);
	if (r->tls_full || r->tls_resumed)
		fprintf(out, "; TLS: %ld full handshakes, %ld resumed", r->tls_full, r->tls_resumed);
	fputc('\n', out);
	fputs(SUMMARY_HEAD "\n", out);
	if (r->nhops) {
		/* the phases of the answer asked for; with --location, a table each hop */
		phases_rows(out, &r->hops[0].p, r->scheduled, true);
		for (int h = 1; h < r->nhops; h++) {
			fprintf(out, "  redirected, hop %d: %s\n", h + 1, r->hops[h].url);
			phases_rows(out, &r->hops[h].p, false, false);
		}
		if (r->nhops > 1) {
			fprintf(out, "  across the hops, from the first request's %s:\n", r->scheduled ? "due time" : "start");
			summary_row(out, "first byte", &r->end_ttfb, NULL);
			summary_row(out, "total", &r->end_total, NULL);
		}
	} else {
		fprintf(out, "  no answer to time\n");
	}
	if (r->scheduled)
		summary_row(out, "start lateness", &r->late, NULL);
	for (int f = 0; f < FAIL_KINDS; f++)
		if (r->failures[f]) {
			char line[300];
			snprintf(line, sizeof(line), "%ld %s: %s", r->failures[f], ttfb_failure_name(f), r->first_error[f]);
			output_wrapped(out, line, 2, 4);
		}
	if (r->proxy_note[0]) {
		char line[300];
		snprintf(line, sizeof(line), "note: %s", r->proxy_note);
		output_wrapped(out, line, 2, 6);
	}
	if (r->interrupted)
		fprintf(out, "  interrupted: what was measured before Ctrl-C\n");
}

static void add_phases(json_object *o, const struct ttfb_phases *p)
{
	json_add(o, "dns", json_summary(&p->dns));
	json_add(o, "connect", json_summary(&p->connect));
	json_add(o, "tls", json_summary(&p->tls));
	json_add(o, "server", json_summary(&p->server));
	json_add(o, "ttfb", json_summary(&p->ttfb));
	json_add(o, "total", json_summary(&p->total));
}

int output_ttfb_json(FILE *out, const struct facts *f, const struct ttfb_result *r)
{
	json_object *o = json_document(f, "/"), *x = json_object_new_object();
	json_object *fails = json_object_new_object(), *status = json_object_new_object();
	json_object *hops = json_object_new_array();
	static const struct ttfb_phases none;
	if (!o || !x || !fails || !status || !hops)
		return -1;
	json_add(x, "url", json_object_new_string(r->url));
	json_add(x, "http_version", json_str_or_null(r->http_version));
	json_add(x, "requests", json_object_new_int64(r->count));
	json_add(x, "answered", json_object_new_int64(r->answered));
	for (int i = 0; i < r->nstatus; i++) {
		char code[16];
		snprintf(code, sizeof(code), "%ld", r->status_code[i]);
		json_add(status, code, json_object_new_int64(r->status_count[i]));
	}
	if (r->status_other)
		json_add(status, "other", json_object_new_int64(r->status_other));
	json_add(x, "status", status);
	json_add(x, "error_answers", json_object_new_int64(r->error_answers));
	json_add(x, "new_connections", json_object_new_int64(r->new_connections));
	json_add(x, "reused_connections", json_object_new_int64(r->reused_connections));
	json_add(x, "tls_full", json_object_new_int64(r->tls_full));
	json_add(x, "tls_resumed", json_object_new_int64(r->tls_resumed));
	json_add(x, "scheduled", json_object_new_boolean(r->scheduled));
	json_add(x, "elapsed_s", json_object_new_double(r->elapsed_s));
	json_add(x, "interrupted", json_object_new_boolean(r->interrupted));
	json_add(x, "proxy", json_str_or_null(r->proxy_note));
	/* the first hop's phases at the top, as without --location */
	add_phases(x, r->nhops ? &r->hops[0].p : &none);
	for (int h = 0; h < r->nhops; h++) {
		json_object *hop = json_object_new_object();
		add_phases(hop, &r->hops[h].p);
		json_add(hop, "url", json_object_new_string(r->hops[h].url));
		json_object_array_add(hops, hop);
	}
	json_add(x, "hops", hops);
	json_add(x, "end_to_end_ttfb", r->nhops > 1 ? json_summary(&r->end_ttfb) : NULL);
	json_add(x, "end_to_end_total", r->nhops > 1 ? json_summary(&r->end_total) : NULL);
	json_add(x, "start_lateness", r->scheduled ? json_summary(&r->late) : NULL);
	for (int k = 0; k < FAIL_KINDS; k++) {
		json_object *e = json_object_new_object();
		json_add(e, "count", json_object_new_int64(r->failures[k]));
		json_add(e, "first", json_str_or_null(r->first_error[k]));
		json_add(fails, ttfb_failure_name(k), e);
	}
	json_add(x, "failures", fails);
	json_add(o, "ttfb", x);
	return json_write(out, o);
}
