/* Measurements for a terminal: a table of clocks, percentile rows for
 * wake-ups with C-states allowed and held off, and the difference. */
#include "output.h"

#include <string.h>

static void notes(FILE *out, const struct notes *n)
{
	for (int i = 0; i < n->count; i++)
		fprintf(out, "  note: %s\n", n->text[i]);
}

void output_freq_text(FILE *out, const struct freq_result *r)
{
	fprintf(out, "Clock while working (a dependent chain of adds, one per cycle)");
	if (r->rated_mhz > 0)
		fprintf(out, "; rated %.0f MHz", r->rated_mhz);
	if (r->max_mhz > 0)
		fprintf(out, ", maximum %.0f MHz", r->max_mhz);
	fprintf(out, "\n  cpu    MHz  spread  cycles MHz  APERF MHz  after idle: first MHz, to 90%%\n");
	for (size_t i = 0; i < r->ncpus; i++) {
		const struct freq_cpu *c = &r->cpus[i];
		fprintf(out, "  %3d  %5.0f  %5.1f%%", c->cpu, c->chain_mhz, c->spread_pct);
		if (c->perf_mhz > 0)
			fprintf(out, "  %10.0f", c->perf_mhz);
		else
			fprintf(out, "  %10s", "-");
		if (c->aperf_mhz > 0)
			fprintf(out, "  %9.0f", c->aperf_mhz);
		else
			fprintf(out, "  %9s", "-");
		fprintf(out, "  %5.0f, ", c->first_mhz);
		if (c->ramp_us < 0)
			fprintf(out, "not within 100 ms\n");
		else
			fprintf(out, "%.0f us\n", c->ramp_us);
	}
	fprintf(out, "  one clock read costs %.0f ns\n", r->overhead_ns);
	notes(out, &r->notes);
}

static void row(FILE *out, const char *label, const struct wake_run *run)
{
	if (!run->done) {
		fprintf(out, "  %-22s not measured\n", label);
		return;
	}
	fprintf(out, "  %-22s %7zu %7.1f %7.1f %7.1f %7.1f %8.1f", label, run->s.count, run->s.min_us,
		run->s.p50_us, run->s.p99_us, run->s.p999_us, run->s.max_us);
	for (int i = 0; i < run->idle.nstates; i++)
		if (run->idle.usage[i] > 0)
			fprintf(out, "  %s x%lld", run->idle.name[i], run->idle.usage[i]);
	fputc('\n', out);
}

static void cost(FILE *out, const struct wake_run *a, const struct wake_run *h)
{
	if (a->done && h->done && a->s.count && h->s.count)
		fprintf(out, "  %-22s p50 %+.1f us, p99 %+.1f us\n", "C-state cost", a->s.p50_us - h->s.p50_us,
			a->s.p99_us - h->s.p99_us);
}

void output_wake_text(FILE *out, const struct wake_result *w)
{
	static const char *head = "                         samples     min     p50     p99   p99.9      max  (us)  idle states entered\n";
	char cpus[128];

	cpuset_format(&w->cpus, cpus, sizeof(cpus));
	fprintf(out, "Timer wake-up (clock_nanosleep every %ld us, %s, cpus %s, %.1f s a run)\n",
		w->opt.interval_us, w->timer_fifo ? "SCHED_FIFO" : "SCHED_OTHER", cpus, w->opt.duration_s);
	fputs(head, out);
	row(out, "C-states allowed", &w->timer_allowed);
	row(out, "C-states held off", &w->timer_held);
	cost(out, &w->timer_allowed, &w->timer_held);
	for (int i = 0; i < w->npairs; i++) {
		const struct wake_pair *p = &w->pairs[i];
		fprintf(out, "\nCross-CPU wake-up: cpu %d wakes cpu %d (%s, %s sleeper), after %ld-%ld us idle\n",
			p->from, p->to, wake_relation_name(p->relation), p->fifo ? "SCHED_FIFO" : "SCHED_OTHER",
			w->gap_min_us, w->gap_max_us);
		fputs(head, out);
		row(out, "C-states allowed", &p->allowed);
		row(out, "C-states held off", &p->held);
		cost(out, &p->allowed, &p->held);
	}
	if (w->held)
		fprintf(out, "\nPM QoS: /dev/cpu_dma_latency read %ld us while held, %ld us after release\n",
			w->qos_readback_us, w->qos_after_us);
	fprintf(out, "one clock read costs %.0f ns\n", w->overhead_ns);
	notes(out, &w->notes);
}
