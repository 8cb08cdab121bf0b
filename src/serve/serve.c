/* The audit side: audits on the main thread every interval, writes the
 * metrics out once in both formats and hands them to the HTTP side. It
 * waits for the next audit in sigtimedwait(), so SIGINT and SIGTERM end it
 * between audits. */
#include "serve.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../audit/audit.h"
#include "../lib/escape.h"
#include "../lib/lazy.h"
#include "../output/metrics.h"
#include "../root/root.h"
#include "../version.h"

struct exporter {
	const struct serve_options *o;
	struct prom_set report;          /* the last good audit's metrics */
	struct freq_result *freq;        /* the last measurement, weighed into */
	struct wake_result *wake;        /* every audit until the next one */
	double start_s, start_wall;      /* monotonic, Unix time */
	unsigned long long audits, failures, measurements;
	double audit_s, last_success, measure_cpu_s, last_measured, next_measure;
	bool ok;
	size_t problems_logged;          /* how many problems the log has named */
	bool problems_said;
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of the whole process: measurement threads included. */
static double cpu_s(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec * 1e-6;
}

/* When measuring is allowed again: not before --measure-every has passed
 * since the last one, nor before the exporter's measuring CPU time is back
 * within SERVE_DUTY_CYCLE of its life. */
static double next_measurement(const struct exporter *x)
{
	double by_every = x->measurements ? x->last_measured + x->o->measure_every_ns * 1e-9 : x->start_s;
	double by_duty = x->start_s + x->measure_cpu_s / SERVE_DUTY_CYCLE;
	return by_every > by_duty ? by_every : by_duty;
}

/* V to the nearest 1/PER: a scrape need not carry clock noise in 17 digits */
static double to(double v, double per)
{
	return round(v * per) / per;
}

/* The exporter's own families: build, audits, measurements. */
static void self_metrics(struct prom_set *s, const struct exporter *x)
{
	prom_add(s, prom_family(s, PROM_INFO, "latdoc_build", NULL, "The latdoc version serving."), 1,
		 "version", LATDOC_VERSION, NULL);
	prom_add(s, prom_family(s, PROM_GAUGE, "process_start_time_seconds", "seconds",
				"When the exporter started (Unix time)."),
		 to(x->start_wall, 1e3), NULL);
	prom_add(s, prom_family(s, PROM_COUNTER, "latdoc_audits", NULL, "Audits run."), (double)x->audits,
		 NULL);
	prom_add(s, prom_family(s, PROM_COUNTER, "latdoc_audit_failures", NULL,
				"Audits that failed (the metrics above are the last good audit's)."),
		 (double)x->failures, NULL);
	prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_audit_success", NULL,
				"1 when the last audit succeeded."),
		 x->ok, NULL);
	prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_audit_duration_seconds", "seconds",
				"How long the last audit took, measurement included."),
		 to(x->audit_s, 1e6), NULL);
	if (x->last_success > 0)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_audit_last_success_timestamp_seconds", "seconds",
					"When the last audit that succeeded ended (Unix time)."),
			 to(x->last_success, 1e3), NULL);
	if (!x->o->measure_every_ns)
		return;
	prom_add(s, prom_family(s, PROM_COUNTER, "latdoc_measurements", NULL, "Measurements taken."),
		 (double)x->measurements, NULL);
	prom_add(s, prom_family(s, PROM_COUNTER, "latdoc_measurement_cpu_seconds", "seconds",
				"CPU time the measurements took, all threads."),
		 to(x->measure_cpu_s, 1e6), NULL);
	if (x->measurements)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_measurement_last_timestamp_seconds", "seconds",
					"When the last measurement ended (Unix time)."),
			 to(x->last_measured - mono_s() + wall_s(), 1e3), NULL);
	prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_measurement_next_timestamp_seconds", "seconds",
				"The earliest the next measurement may start, by --measure-every and the "
				"duty cycle (Unix time)."),
		 to(next_measurement(x) - mono_s() + wall_s(), 1e3), NULL);
}

/* Writes the report's metrics and the exporter's own in FMT into a new
 * buffer. */
static int render(struct exporter *x, struct prom_set *self, enum prom_format fmt, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	if (!f)
		return -1;
	int rc = prom_write(f, &x->report, fmt) | prom_write(f, self, fmt) | prom_write_end(f, fmt);
	if (fclose(f) || rc) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

static struct exposition *exposition(struct exporter *x)
{
	struct prom_set self = { 0 };
	struct exposition *e = calloc(1, sizeof(*e));

	self_metrics(&self, x);
	if (!e || self.out_of_memory || render(x, &self, PROM_TEXT, &e->text, &e->text_len) ||
	    render(x, &self, PROM_OPENMETRICS, &e->openmetrics, &e->openmetrics_len)) {
		if (e) {
			free(e->text);
			free(e);
		}
		e = NULL;
	} else {
		atomic_init(&e->refs, 1);
	}
	prom_set_free(&self);
	return e;
}

/* Says on stderr (the journal under systemd) which files could not be
 * used, when that changes: once, not at every audit. */
static void say_problems(struct exporter *x, const struct facts *f)
{
	if (x->problems_said && f->nproblems == x->problems_logged)
		return;
	/* problems are escaped when made */
	for (size_t i = 0; i < f->nproblems; i++)
		fprintf(stderr, "latdoc serve: could not use %s\n", f->problems[i]);
	if (x->problems_said && !f->nproblems)
		fputs("latdoc serve: every file could be used again\n", stderr);
	x->problems_logged = f->nproblems;
	x->problems_said = true;
}

/* One audit, measuring when MEASURE. On success its metrics replace the
 * last good audit's; on failure those stay, and the failure is counted. */
static int audit(struct exporter *x, bool measure, char *err, size_t errsz)
{
	struct audit_options ao = {
		.root = x->o->root,
		.measure = measure,
		.earlier_freq = measure ? NULL : x->freq,
		.earlier_wake = measure ? NULL : x->wake,
		.fail_on = SEV_WARNING,
	};
	struct report rep;
	double t0 = mono_s(), c0 = cpu_s();
	int rc = audit_run(&ao, &rep, err, errsz);

	x->audits++;
	x->audit_s = mono_s() - t0;
	x->ok = !rc;
	if (measure) {
		/* counted whether it worked or not: the CPU was spent */
		x->measure_cpu_s += cpu_s() - c0;
		x->last_measured = mono_s();
		x->measurements++;
	}
	if (rc) {
		x->failures++;
		return -1;
	}
	x->last_success = wall_s();
	if (measure) {
		/* kept, and weighed into the audits until the next measurement */
		measurements_free(x->freq, x->wake);
		x->freq = rep.freq;
		x->wake = rep.wake;
		rep.freq = NULL;
		rep.wake = NULL;
	}
	say_problems(x, &rep.facts);
	prom_set_free(&x->report);
	metrics_report(&x->report, &rep);
	report_free(&rep);
	if (x->report.out_of_memory) {
		snprintf(err, errsz, "out of memory while writing the metrics");
		x->ok = false;
		x->failures++;
		return -1;
	}
	return 0;
}

static void exporter_free(struct exporter *x)
{
	prom_set_free(&x->report);
	measurements_free(x->freq, x->wake);
}

static int once(struct exporter *x, char *err, size_t errsz)
{
	if (audit(x, x->o->measure_every_ns > 0, err, errsz))
		return -1;
	struct prom_set self = { 0 };
	self_metrics(&self, x);
	int rc = prom_write(stdout, &x->report, PROM_TEXT) | prom_write(stdout, &self, PROM_TEXT);
	prom_set_free(&self);
	if (fflush(stdout) || rc) {
		snprintf(err, errsz, "writing the metrics: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* What an unprivileged exporter cannot see, said once at start. */
static void say_privileges(const struct serve_options *o)
{
	if (geteuid() == 0 || strcmp(o->root, "/"))
		return;
	fprintf(stderr, "latdoc serve: running as uid %u: /dev/cpu_dma_latency and cpuinfo_cur_freq "
			"are root's, so the global PM QoS limit and the hardware clock are left out%s\n",
		(unsigned)geteuid(), o->measure_every_ns ? ", and measurements cannot hold idle states off" : "");
}

int serve_run(const struct serve_options *o, char *err, size_t errsz)
{
	struct exporter x = { .o = o, .start_s = mono_s(), .start_wall = wall_s() };
	char where[128];
	sigset_t stop;
	int rc = -1;

	if (o->once) {
		rc = once(&x, err, errsz);
		exporter_free(&x);
		return rc;
	}
	const char *missing = lazy_missing(&lazy_libmicrohttpd);
	if (missing) {
		snprintf(err, errsz, "%s: serve answers HTTP with it (Debian: libmicrohttpd12)", missing);
		return -1;
	}
	/* blocked in every thread (libmicrohttpd's and the measurements'
	 * inherit the mask) and taken by sigtimedwait() below */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	int fd = serve_listen(o->listen ? o->listen : ":" SERVE_PORT, where, sizeof(where), err, errsz);
	if (fd < 0)
		return -1;
	/* the first audit before the first scrape: /metrics is never empty */
	if (audit(&x, false, err, errsz)) {
		close(fd);
		exporter_free(&x);
		return -1;
	}
	struct http_server *h = http_start(fd, err, errsz);
	struct exposition *e = h ? exposition(&x) : NULL;
	if (!h || !e) {
		if (h)
			snprintf(err, errsz, "out of memory while writing the metrics");
		else
			close(fd);
		http_stop(h);
		exporter_free(&x);
		return -1;
	}
	http_publish(h, e);
	say_privileges(o);
	fprintf(stderr, "latdoc serve: listening on %s, auditing %s every %.3gs", where, o->root,
		o->interval_ns * 1e-9);
	if (o->measure_every_ns)
		fprintf(stderr, ", measuring every %.3gs at most (and at most %.0f%% of one CPU)",
			o->measure_every_ns * 1e-9, 100 * SERVE_DUTY_CYCLE);
	fputc('\n', stderr);

	double interval = o->interval_ns * 1e-9, next_audit = x.start_s + interval;
	for (;;) {
		double now = mono_s(), until = next_audit;
		bool measure = o->measure_every_ns && next_measurement(&x) <= now;
		if (o->measure_every_ns && next_measurement(&x) < until)
			until = next_measurement(&x);
		if (!measure && now < next_audit) {
			double wait = until - now;
			struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
			int sig = sigtimedwait(&stop, NULL, &ts);
			if (sig == SIGINT || sig == SIGTERM)
				break;
			continue; /* time for an audit or a measurement: look again */
		}
		if (audit(&x, measure, err, errsz)) {
			char *safe = str_escape_dup(err, false);
			fprintf(stderr, "latdoc serve: audit failed: %s\n", safe ? safe : err);
			free(safe);
		}
		/* at a fixed rate; an audit longer than the interval delays the
		 * next one, it does not queue them up */
		if (now >= next_audit) {
			next_audit += interval;
			if (next_audit <= mono_s())
				next_audit = mono_s() + interval;
		}
		if ((e = exposition(&x)))
			http_publish(h, e);
		/* a SIGTERM that came during the audit ends it now */
		struct timespec zero = { 0, 0 };
		int sig = sigtimedwait(&stop, NULL, &zero);
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	rc = 0;
	fprintf(stderr, "latdoc serve: stopping after %llu audits\n", x.audits);
	http_stop(h);
	exporter_free(&x);
	return rc;
}
