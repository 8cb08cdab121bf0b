/* Measurements as JSON: under "measurements" in check --measure, and the
 * whole answer of latdoc measure --json. */
#include "output.h"

#include <json-c/json.h>

#include "json_util.h"

static json_object *dbl(double v)
{
	return json_object_new_double(v);
}

json_object *json_summary(const struct summary *s)
{
	json_object *o = json_object_new_object(), *hist = json_object_new_array();
	json_add(o, "samples", json_object_new_int64((int64_t)s->count));
	json_add(o, "min_us", s->count ? dbl(s->min_us) : NULL);
	json_add(o, "p50_us", s->count ? dbl(s->p50_us) : NULL);
	json_add(o, "p90_us", s->count ? dbl(s->p90_us) : NULL);
	/* an extreme order statistic of few samples is not a percentile */
	json_add(o, "p99_us", summary_has_p99(s) ? dbl(s->p99_us) : NULL);
	json_add(o, "p999_us", summary_has_p999(s) ? dbl(s->p999_us) : NULL);
	json_add(o, "max_us", s->count ? dbl(s->max_us) : NULL);
	json_add(o, "mean_us", s->count ? dbl(s->mean_us) : NULL);
	for (int i = 0; i < HIST_BUCKETS; i++) {
		json_object *b = json_object_new_object();
		json_add(b, "below_us", i < HIST_BUCKETS - 1 ? dbl(hist_bound_us(i)) : NULL);
		json_add(b, "count", json_object_new_int64((int64_t)s->hist[i]));
		json_object_array_add(hist, b);
	}
	json_add(o, "histogram", hist);
	return o;
}

static json_object *idle(const struct idle_counts *c)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < c->nstates; i++) {
		json_object *s = json_object_new_object();
		json_add(s, "state", json_object_new_string(c->name[i]));
		json_add(s, "entered", json_object_new_int64(c->usage[i]));
		json_add(s, "time_us", json_object_new_int64(c->time_us[i]));
		json_object_array_add(a, s);
	}
	return a;
}

static json_object *notes(const struct notes *n)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < n->count; i++)
		json_object_array_add(a, json_object_new_string(n->text[i]));
	return a;
}

static json_object *pos_or_null(double v)
{
	return v > 0 ? dbl(v) : NULL;
}

static json_object *nonneg_or_null(double v)
{
	return v >= 0 ? dbl(v) : NULL;
}

static json_object *after_idle(const struct freq_cpu *c)
{
	if (!c->ramp_trials)
		return NULL;
	json_object *o = json_object_new_object();
	json_add(o, "trials", json_object_new_int(c->ramp_trials));
	json_add(o, "first_mhz", pos_or_null(c->first_mhz));
	json_add(o, "ramp_p50_us", nonneg_or_null(c->ramp_p50_us));
	json_add(o, "ramp_p90_us", nonneg_or_null(c->ramp_p90_us));
	json_add(o, "not_within_100ms", json_object_new_int(c->ramp_never));
	return o;
}

json_object *json_freq(const struct freq_result *r)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	for (size_t i = 0; i < r->ncpus; i++) {
		const struct freq_cpu *c = &r->cpus[i];
		json_object *x = json_object_new_object();
		json_add(x, "cpu", json_object_new_int(c->cpu));
		json_add(x, "mhz", pos_or_null(c->mhz));
		json_add(x, "source", json_object_new_string("add and imul chains"));
		json_add(x, "agree", json_object_new_boolean(!c->disagree));
		json_add(x, "add_mhz", pos_or_null(c->add_mhz));
		json_add(x, "imul_mhz", pos_or_null(c->imul_mhz));
		json_add(x, "spread_pct", dbl(c->spread_pct));
		json_add(x, "perf_mhz", pos_or_null(c->perf_mhz));
		json_add(x, "aperf_mperf_mhz", pos_or_null(c->aperf_mhz));
		json_add(x, "after_idle", after_idle(c));
		json_object_array_add(a, x);
	}
	json_add(o, "cpus", a);
	json_add(o, "rated_mhz", pos_or_null(r->rated_mhz));
	json_add(o, "max_mhz", pos_or_null(r->max_mhz));
	json_add(o, "slice_ms", dbl(r->slice_ms));
	json_add(o, "clock_read_ns", dbl(r->overhead_ns));
	json_add(o, "disturbed", json_str_or_null(r->disturbed));
	json_add(o, "interrupted", json_object_new_boolean(r->interrupted));
	json_add(o, "notes", notes(&r->notes));
	return o;
}

static json_object *diff(const struct cost_diff *d)
{
	if (!d->have)
		return NULL;
	json_object *o = json_object_new_object();
	json_add(o, "us", dbl(d->point_us));
	json_add(o, "lo_us", dbl(d->lo_us));
	json_add(o, "hi_us", dbl(d->hi_us));
	return o;
}

static const char *hold_name(enum cost_hold h)
{
	static const char *const names[] = { [HOLD_DONE] = "held", [HOLD_NOT_ALLOWED] = "not permitted",
					     [HOLD_NO_STATES] = "no cpuidle driver",
					     [HOLD_NO_CHANGE] = "no idle counter changed" };
	return h <= HOLD_NO_CHANGE ? names[h] : "?";
}

/* A probe's figures: allowed and held summaries, the cost, the idle
 * states, and whether they are clean; into O. */
static void probe(json_object *o, const struct wake_probe *p)
{
	json_object *c = json_object_new_object(), *states = json_object_new_object();
	const struct cost_verdict *v = &p->cost;
	json_add(o, "allowed", p->done ? json_summary(&v->allowed) : NULL);
	json_add(o, "held", p->done && v->held.count ? json_summary(&v->held) : NULL);
	json_add(c, "state", json_object_new_string(cost_state_name(v->state)));
	json_add(c, "hold", json_object_new_string(hold_name(p->hold)));
	json_add(c, "blocks_allowed", json_object_new_int(v->blocks_allowed));
	json_add(c, "blocks_held", json_object_new_int(v->blocks_held));
	json_add(c, "p50", diff(&v->p50));
	json_add(c, "p99", diff(&v->p99));
	json_add(c, "lower_us", v->state == COST_FOUND ? dbl(v->lower_us) : NULL);
	json_add(c, "upper_us", v->p50.have ? dbl(v->upper_us) : NULL);
	json_add(o, "cost", c);
	json_add(states, "allowed", idle(&p->idle[0]));
	json_add(states, "held", idle(&p->idle[1]));
	json_add(o, "idle_states", states);
	json_add(o, "idle_share", nonneg_or_null(p->idle_share));
	json_add(o, "steal_pct", nonneg_or_null(p->steal_pct));
	json_add(o, "disturbed", json_str_or_null(p->disturbed));
}

static json_object *pair(const struct wake_pair *p)
{
	json_object *o = json_object_new_object(), *by = json_object_new_array();
	json_add(o, "from", json_object_new_int(p->from));
	json_add(o, "to", json_object_new_int(p->to));
	json_add(o, "relation", json_object_new_string(wake_relation_name(p->relation)));
	json_add(o, "sleeper", json_object_new_string(p->fifo ? "SCHED_FIFO" : "SCHED_OTHER"));
	probe(o, &p->probe);
	for (int i = 0; i < p->nstates; i++) {
		json_object *s = json_object_new_object();
		json_add(s, "state", json_str_or_null(p->states[i].name));
		json_add(s, "allowed", json_summary(&p->states[i].s[0]));
		json_add(s, "held", json_summary(&p->states[i].s[1]));
		json_object_array_add(by, s);
	}
	json_add(o, "by_idle_state", by);
	return o;
}

json_object *json_wake(const struct wake_result *w)
{
	json_object *o = json_object_new_object(), *timer = json_object_new_object();
	json_object *cross = json_object_new_array(), *qos = json_object_new_object();
	json_object *plan = json_object_new_object(), *per_cpu = json_object_new_array();
	char cpus[256];

	cpuset_format(&w->cpus, cpus, sizeof(cpus));
	json_add(o, "cpus", json_object_new_string(cpus));
	json_add(o, "duration_s", dbl(w->opt.duration_s));
	json_add(plan, "probes", json_object_new_int(w->plan.probes));
	json_add(plan, "blocks", json_object_new_int(w->plan.blocks));
	json_add(plan, "block_s", dbl(w->plan.block_s));
	json_add(plan, "guard_ms", dbl(COST_GUARD_NS / 1e6));
	json_add(plan, "total_s", dbl(w->plan.total_s));
	json_add(o, "plan", plan);
	json_add(timer, "interval_us", json_object_new_int64(w->opt.interval_us));
	json_add(timer, "policy", json_object_new_string(w->timer_fifo ? "SCHED_FIFO" : "SCHED_OTHER"));
	probe(timer, &w->timer);
	for (size_t i = 0; i < w->ntimer_cpus; i++) {
		json_object *c = json_object_new_object();
		json_add(c, "cpu", json_object_new_int(w->timer_cpus[i].cpu));
		json_add(c, "allowed", json_summary(&w->timer_cpus[i].s[0]));
		json_add(c, "held", w->held ? json_summary(&w->timer_cpus[i].s[1]) : NULL);
		json_object_array_add(per_cpu, c);
	}
	json_add(timer, "per_cpu", per_cpu);
	json_add(o, "timer", timer);
	for (int i = 0; i < w->npairs; i++)
		json_object_array_add(cross, pair(&w->pairs[i]));
	json_add(o, "cross_cpu", cross);
	json_add(o, "gap_min_us", json_object_new_int64(w->gap_min_us));
	json_add(o, "gap_max_us", json_object_new_int64(w->gap_max_us));
	json_add(qos, "held", json_object_new_boolean(w->held));
	json_add(qos, "readback_us", w->qos_readback_us < 0 ? NULL : json_object_new_int64(w->qos_readback_us));
	json_add(qos, "after_release_us", w->qos_after_us < 0 ? NULL : json_object_new_int64(w->qos_after_us));
	json_add(o, "pm_qos", qos);
	json_add(o, "clock_read_ns", dbl(w->overhead_ns));
	json_add(o, "interrupted", json_object_new_boolean(w->interrupted));
	json_add(o, "notes", notes(&w->notes));
	return o;
}

json_object *json_measurements(const struct freq_result *freq, const struct wake_result *wake)
{
	json_object *o = json_object_new_object();
	json_add(o, "freq", freq ? json_freq(freq) : NULL);
	json_add(o, "wake", wake ? json_wake(wake) : NULL);
	return o;
}
