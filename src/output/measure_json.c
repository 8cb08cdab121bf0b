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
	json_add(o, "min_us", dbl(s->min_us));
	json_add(o, "p50_us", dbl(s->p50_us));
	json_add(o, "p90_us", dbl(s->p90_us));
	json_add(o, "p99_us", dbl(s->p99_us));
	json_add(o, "p999_us", dbl(s->p999_us));
	json_add(o, "max_us", dbl(s->max_us));
	json_add(o, "mean_us", dbl(s->mean_us));
	for (int i = 0; i < HIST_BUCKETS; i++) {
		json_object *b = json_object_new_object();
		json_add(b, "below_us", i < HIST_BUCKETS - 1 ? dbl(hist_bound_us(i)) : NULL);
		json_add(b, "count", json_object_new_int64((int64_t)s->hist[i]));
		json_object_array_add(hist, b);
	}
	json_add(o, "histogram", hist);
	return o;
}

static json_object *summary(const struct wake_run *run)
{
	if (!run->done)
		return NULL;
	json_object *o = json_summary(&run->s), *idle = json_object_new_array();
	for (int i = 0; i < run->idle.nstates; i++) {
		json_object *s = json_object_new_object();
		json_add(s, "state", json_object_new_string(run->idle.name[i]));
		json_add(s, "entered", json_object_new_int64(run->idle.usage[i]));
		json_add(s, "time_us", json_object_new_int64(run->idle.time_us[i]));
		json_object_array_add(idle, s);
	}
	json_add(o, "idle_states", idle);
	return o;
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

json_object *json_freq(const struct freq_result *r)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	for (size_t i = 0; i < r->ncpus; i++) {
		const struct freq_cpu *c = &r->cpus[i];
		json_object *x = json_object_new_object();
		json_add(x, "cpu", json_object_new_int(c->cpu));
		json_add(x, "mhz", pos_or_null(c->chain_mhz));
		json_add(x, "source", json_object_new_string("instruction chain"));
		json_add(x, "spread_pct", dbl(c->spread_pct));
		json_add(x, "perf_mhz", pos_or_null(c->perf_mhz));
		json_add(x, "aperf_mperf_mhz", pos_or_null(c->aperf_mhz));
		json_add(x, "first_mhz_after_idle", pos_or_null(c->first_mhz));
		json_add(x, "ramp_us", c->ramp_us < 0 ? NULL : dbl(c->ramp_us));
		json_object_array_add(a, x);
	}
	json_add(o, "cpus", a);
	json_add(o, "rated_mhz", pos_or_null(r->rated_mhz));
	json_add(o, "max_mhz", pos_or_null(r->max_mhz));
	json_add(o, "clock_read_ns", dbl(r->overhead_ns));
	json_add(o, "notes", notes(&r->notes));
	return o;
}

static json_object *pair(const struct wake_pair *p)
{
	json_object *o = json_object_new_object();
	json_add(o, "from", json_object_new_int(p->from));
	json_add(o, "to", json_object_new_int(p->to));
	json_add(o, "relation", json_object_new_string(wake_relation_name(p->relation)));
	json_add(o, "sleeper", json_object_new_string(p->fifo ? "SCHED_FIFO" : "SCHED_OTHER"));
	json_add(o, "allowed", summary(&p->allowed));
	json_add(o, "held", summary(&p->held));
	return o;
}

json_object *json_wake(const struct wake_result *w)
{
	json_object *o = json_object_new_object(), *timer = json_object_new_object();
	json_object *cross = json_object_new_array(), *qos = json_object_new_object();
	char cpus[256];

	cpuset_format(&w->cpus, cpus, sizeof(cpus));
	json_add(o, "cpus", json_object_new_string(cpus));
	json_add(o, "duration_s", dbl(w->opt.duration_s));
	json_add(timer, "interval_us", json_object_new_int64(w->opt.interval_us));
	json_add(timer, "policy", json_object_new_string(w->timer_fifo ? "SCHED_FIFO" : "SCHED_OTHER"));
	json_add(timer, "allowed", summary(&w->timer_allowed));
	json_add(timer, "held", summary(&w->timer_held));
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
