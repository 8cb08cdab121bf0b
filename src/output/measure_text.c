/* Measurements for a terminal: a table of clocks, percentile rows for
 * wake-ups with C-states allowed and held off, and the cost of idle with
 * its interval, or why there is none. */
#include "output.h"

#include <string.h>

static void notes(FILE *out, const struct notes *n)
{
	for (int i = 0; i < n->count; i++) {
		char line[300];
		snprintf(line, sizeof(line), "note: %s", n->text[i]);
		output_wrapped(out, line, 2, 6);
	}
}

static void disturbed(FILE *out, const char *why, int indent)
{
	char line[300];
	if (!why[0])
		return;
	snprintf(line, sizeof(line), "disturbed: %s; these figures are not clean, measure again on a quiet "
				     "machine", why);
	output_wrapped(out, line, indent, 4);
}

static void mhz_cell(FILE *out, double v, int width)
{
	if (v > 0)
		fprintf(out, "  %*.0f", width, v);
	else
		fprintf(out, "  %*s", width, "-");
}

void output_freq_text(FILE *out, const struct freq_result *r)
{
	fprintf(out, "Clock while working: dependent chains of register adds (1 cycle each) and imul (3 "
		     "cycles), %d slices of %.0f ms", 21, r->slice_ms);
	if (r->rated_mhz > 0)
		fprintf(out, "; rated %.0f MHz", r->rated_mhz);
	if (r->max_mhz > 0)
		fprintf(out, ", maximum %.0f MHz", r->max_mhz);
	fprintf(out, "\n  cpu    MHz  add MHz  imul MHz  spread  cycles MHz  APERF MHz\n");
	bool ramp = false;
	for (size_t i = 0; i < r->ncpus; i++) {
		const struct freq_cpu *c = &r->cpus[i];
		fprintf(out, "  %3d", c->cpu);
		if (c->mhz > 0)
			fprintf(out, "  %5.0f", c->mhz);
		else
			fprintf(out, "  %5s", c->disagree ? "none" : "-");
		mhz_cell(out, c->add_mhz, 7);
		mhz_cell(out, c->imul_mhz, 8);
		fprintf(out, "  %5.1f%%", c->spread_pct);
		mhz_cell(out, c->perf_mhz, 10);
		mhz_cell(out, c->aperf_mhz, 9);
		fputc('\n', out);
		ramp |= c->ramp_trials > 0;
	}
	if (ramp) {
		fprintf(out, "After idle (%d trials of 100-300 ms idle each): the first 20 us slice, and the time "
			     "to 90%% of the clock\n  cpu  first MHz     p50 us     p90 us  not within 100 ms\n",
			r->cpus[0].ramp_trials);
		for (size_t i = 0; i < r->ncpus; i++) {
			const struct freq_cpu *c = &r->cpus[i];
			if (!c->ramp_trials)
				continue;
			fprintf(out, "  %3d  %9.0f", c->cpu, c->first_mhz);
			if (c->ramp_p50_us >= 0)
				fprintf(out, "  %9.0f", c->ramp_p50_us);
			else
				fprintf(out, "  %9s", "never");
			if (c->ramp_p90_us >= 0)
				fprintf(out, "  %9.0f", c->ramp_p90_us);
			else
				fprintf(out, "  %9s", "never");
			fprintf(out, "  %d of %d\n", c->ramp_never, c->ramp_trials);
		}
	}
	fprintf(out, "  one clock read costs %.0f ns\n", r->overhead_ns);
	disturbed(out, r->disturbed, 2);
	if (r->interrupted)
		fprintf(out, "  interrupted: what was measured before Ctrl-C\n");
	notes(out, &r->notes);
}

/* "haltpoll idle x1144", or why the column is empty. */
static void idle_text(const struct idle_counts *c, bool held, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	if (!c->nstates) {
		snprintf(buf, size, "(no cpuidle driver)");
		return;
	}
	for (int i = 0; i < c->nstates && n < size; i++)
		if (c->usage[i] > 0)
			n += (size_t)snprintf(buf + n, size - n, "%s%s x%lld", n ? "  " : "", c->name[i], c->usage[i]);
	if (!n)
		snprintf(buf, size, held ? "none (held off: it polled)" : "none: the CPUs never idled");
}

static void probe_rows(FILE *out, const struct wake_probe *p, bool held_ok)
{
	char idle[200];
	fputs(SUMMARY_HEAD "  idle states entered\n", out);
	idle_text(&p->idle[0], false, idle, sizeof(idle));
	summary_row(out, "C-states allowed", &p->cost.allowed, idle);
	if (held_ok) {
		idle_text(&p->idle[1], true, idle, sizeof(idle));
		summary_row(out, "C-states held off", &p->cost.held, idle);
	} else {
		fprintf(out, "  %-22s not measured\n", "C-states held off");
	}
}

static void diff_line(FILE *out, const char *label, const char *what, const struct cost_diff *d)
{
	fprintf(out, "  %-22s %s %+.1f us (95%% interval %+.1f to %+.1f)\n", label, what, d->point_us, d->lo_us,
		d->hi_us);
}

static void cost(FILE *out, const char *label, const struct wake_probe *p)
{
	const struct cost_verdict *v = &p->cost;
	switch (v->state) {
	case COST_NOT_MEASURED:
		fprintf(out, "  %-22s not measured: %s\n", label,
			p->hold == HOLD_NOT_ALLOWED ? "C-states could not be held off (run as root)" : "too few blocks");
		return;
	case COST_NOTHING_TO_HOLD:
		fprintf(out, "  %-22s nothing to hold off: %s\n", label,
			p->hold == HOLD_NO_STATES ? "no cpuidle driver" : "no idle state beyond polling either way");
		return;
	case COST_WITHIN_NOISE:
		fprintf(out, "  %-22s none above the noise\n", label);
		label = "";
		break;
	case COST_FOUND:
		break;
	}
	diff_line(out, label, "p50", &v->p50);
	if (v->p99.have)
		diff_line(out, "", "p99", &v->p99);
}

void output_wake_text(FILE *out, const struct wake_result *w)
{
	char cpus[128];

	cpuset_format(&w->cpus, cpus, sizeof(cpus));
	fprintf(out, "Timer wake-up (clock_nanosleep every %ld us, %s, cpus %s; %d blocks of %.2f s, C-states "
		     "allowed and held off in turn)\n",
		w->opt.interval_us, w->timer_fifo ? "SCHED_FIFO" : "SCHED_OTHER", cpus, w->plan.blocks,
		w->plan.block_s);
	if (!w->timer.done) {
		fprintf(out, "  not measured\n");
	} else {
		probe_rows(out, &w->timer, w->held);
		for (size_t i = 0; w->ntimer_cpus > 1 && i < w->ntimer_cpus; i++) {
			char label[40];
			snprintf(label, sizeof(label), "  cpu %d, allowed", w->timer_cpus[i].cpu);
			summary_row(out, label, &w->timer_cpus[i].s[0], NULL);
			if (w->held) {
				snprintf(label, sizeof(label), "  cpu %d, held off", w->timer_cpus[i].cpu);
				summary_row(out, label, &w->timer_cpus[i].s[1], NULL);
			}
		}
		cost(out, "cost of idle", &w->timer);
		disturbed(out, w->timer.disturbed, 2);
	}
	for (int i = 0; i < w->npairs; i++) {
		const struct wake_pair *p = &w->pairs[i];
		fprintf(out, "\nCross-CPU wake-up: cpu %d wakes cpu %d (%s, %s sleeper), after %ld-%ld us idle\n",
			p->from, p->to, wake_relation_name(p->relation), p->fifo ? "SCHED_FIFO" : "SCHED_OTHER",
			w->gap_min_us, w->gap_max_us);
		if (!p->probe.done) {
			fprintf(out, "  not measured%s\n", w->interrupted ? " (interrupted)" : "");
			continue;
		}
		probe_rows(out, &p->probe, w->held);
		/* where the p99 comes from: the state each wake-up left */
		for (int s = 0; s < p->nstates; s++) {
			const struct wake_state *st = &p->states[s];
			char label[64];
			if (!st->s[0].count)
				continue;
			if (st->name[0])
				snprintf(label, sizeof(label), "  left %s", st->name);
			else
				snprintf(label, sizeof(label), "  never idled");
			summary_row(out, label, &st->s[0], NULL);
		}
		/* held off, the sleeper's CPU polls: the waker sends no IPI */
		cost(out, "cost of allowing idle", &p->probe);
		disturbed(out, p->probe.disturbed, 2);
	}
	if (w->held)
		fprintf(out, "\nPM QoS: /dev/cpu_dma_latency read %ld us while held, %ld us after release\n",
			w->qos_readback_us, w->qos_after_us);
	fprintf(out, "one clock read costs %.0f ns\n", w->overhead_ns);
	if (w->interrupted)
		fprintf(out, "interrupted: what was measured before Ctrl-C\n");
	notes(out, &w->notes);
}
