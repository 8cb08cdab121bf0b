/* --prove: the same short measurements before and after the changes, on
 * the same machine, side by side: the clock, the wake-up latency with
 * C-states allowed, and what C-states cost (allowed minus held off). */
#include "tune.h"

#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../measure/measure.h"

struct figure {
	const char *name;
	const char *key; /* in the journal's JSON */
	double (*get)(const struct report *r);
};

static double mean_of(const struct freq_result *f, size_t field)
{
	double sum = 0;
	int n = 0;
	for (size_t i = 0; f && i < f->ncpus; i++) {
		double v = *(const double *)((const char *)&f->cpus[i] + field);
		if (v > 0) {
			sum += v;
			n++;
		}
	}
	return n ? sum / n : NAN;
}

static double clock_mhz(const struct report *r)
{
	return mean_of(r->freq, offsetof(struct freq_cpu, mhz));
}

static double first_mhz(const struct report *r)
{
	return mean_of(r->freq, offsetof(struct freq_cpu, first_mhz));
}

/* A percentile of a probe's pooled samples; a p99 only from enough of them. */
static double run_p(const struct wake_probe *p, bool held, bool p99)
{
	const struct summary *s = held ? &p->cost.held : &p->cost.allowed;
	if (!p->done || !s->count || (p99 && !summary_has_p99(s)))
		return NAN;
	return p99 ? s->p99_us : s->p50_us;
}

static double timer_p50(const struct report *r)
{
	return r->wake ? run_p(&r->wake->timer, false, false) : NAN;
}

static double timer_p99(const struct report *r)
{
	return r->wake ? run_p(&r->wake->timer, false, true) : NAN;
}

static double timer_cost(const struct report *r)
{
	return r->wake ? run_p(&r->wake->timer, false, true) - run_p(&r->wake->timer, true, true) : NAN;
}

static double pair_p99(const struct report *r, bool held)
{
	double sum = 0;
	int n = 0;
	for (int i = 0; r->wake && i < r->wake->npairs; i++) {
		double v = run_p(&r->wake->pairs[i].probe, held, true);
		if (!isnan(v)) {
			sum += v;
			n++;
		}
	}
	return n ? sum / n : NAN;
}

static double cross_p99(const struct report *r)
{
	return pair_p99(r, false);
}

static double cross_cost(const struct report *r)
{
	return pair_p99(r, false) - pair_p99(r, true);
}

static const struct figure figures[] = {
	{ "clock, mean of the CPUs measured (MHz)", "clock_mhz", clock_mhz },
	{ "clock in the first 20 us after idle (MHz)", "first_mhz", first_mhz },
	{ "timer wake-up p50, C-states allowed (us)", "timer_p50_us", timer_p50 },
	{ "timer wake-up p99, C-states allowed (us)", "timer_p99_us", timer_p99 },
	{ "C-state cost, timer p99 (us)", "timer_cstate_cost_us", timer_cost },
	{ "cross-CPU wake-up p99, C-states allowed (us)", "cross_p99_us", cross_p99 },
	{ "C-state cost, cross-CPU p99 (us)", "cross_cstate_cost_us", cross_cost },
};

#define NFIGURES (sizeof(figures) / sizeof(figures[0]))

void prove_print(FILE *out, const struct report *before, const struct report *after)
{
	fprintf(out, "\nmeasured before and after, on this machine (a short run each):\n");
	fprintf(out, "  %-46s %10s %10s\n", "", "before", "after");
	for (size_t i = 0; i < NFIGURES; i++) {
		double b = figures[i].get(before), a = figures[i].get(after);
		char bs[24] = "-", as[24] = "-";
		if (!isnan(b))
			snprintf(bs, sizeof(bs), "%.1f", b);
		if (!isnan(a))
			snprintf(as, sizeof(as), "%.1f", a);
		fprintf(out, "  %-46s %10s %10s\n", figures[i].name, bs, as);
	}
	size_t sb = before->wake ? before->wake->timer.cost.allowed.count : 0;
	size_t sa = after->wake ? after->wake->timer.cost.allowed.count : 0;
	fprintf(out, "  (timer wake-ups: %zu samples before, %zu after%s)\n", sb, sa,
		sb < 1000 || sa < 1000 ? "; a p99 of fewer than 1000 swings from run to run: "
					 "latdoc measure wake --duration 5s says more"
				       : "");
	const struct notes *n = after->wake ? &after->wake->notes : NULL;
	for (int i = 0; n && i < n->count; i++)
		fprintf(out, "  note: %s\n", n->text[i]);
}

char *prove_json(const struct report *before, const struct report *after)
{
	json_object *o = json_object_new_object(), *b = json_object_new_object(),
		    *a = json_object_new_object(), *wrap = json_object_new_object();
	char *text = NULL;
	for (size_t i = 0; i < NFIGURES; i++) {
		double vb = figures[i].get(before), va = figures[i].get(after);
		json_object_object_add(b, figures[i].key, isnan(vb) ? NULL : json_object_new_double(vb));
		json_object_object_add(a, figures[i].key, isnan(va) ? NULL : json_object_new_double(va));
	}
	json_object_object_add(o, "before", b);
	json_object_object_add(o, "after", a);
	json_object_object_add(wrap, "prove", o);
	const char *s = json_object_to_json_string_ext(wrap, JSON_C_TO_STRING_PLAIN);
	if (s)
		text = strdup(s);
	json_object_put(wrap);
	return text;
}
