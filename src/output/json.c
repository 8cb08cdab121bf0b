/* The report as one JSON object: schema, version, host, facts, findings,
 * problems. docs/JSON.md documents every field. Unknown values are null. */
#include "output.h"

#include <json-c/json.h>
#include <string.h>

#include "../version.h"

static json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static json_object *num_or_null(long v)
{
	return v < 0 || v == FACT_UNKNOWN ? NULL : json_object_new_int64(v);
}

static json_object *flag_or_null(int v)
{
	return v < 0 ? NULL : json_object_new_boolean(v);
}

static json_object *cpulist(const struct cpuset *s)
{
	char buf[4096];
	cpuset_format(s, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *idle_states(const struct cpu *c)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < c->nstates; i++) {
		const struct idle_state *s = &c->states[i];
		json_object *o = json_object_new_object();
		add(o, "name", str_or_null(s->name));
		add(o, "desc", str_or_null(s->desc));
		add(o, "latency_us", num_or_null(s->latency_us));
		add(o, "residency_us", num_or_null(s->residency_us));
		add(o, "disabled", flag_or_null(s->disabled));
		add(o, "usage", s->usage < 0 ? NULL : json_object_new_int64(s->usage));
		add(o, "time_us", s->time_us < 0 ? NULL : json_object_new_int64(s->time_us));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *cpus(const struct facts *f)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < f->ncpus; i++) {
		const struct cpu *c = &f->cpus[i];
		json_object *o = json_object_new_object();
		add(o, "id", json_object_new_int(c->id));
		add(o, "online", json_object_new_boolean(c->online));
		add(o, "package", num_or_null(c->package));
		add(o, "core", num_or_null(c->core));
		add(o, "node", num_or_null(c->node));
		add(o, "cpuinfo_mhz", c->cpuinfo_mhz > 0 ? json_object_new_double(c->cpuinfo_mhz) : NULL);
		add(o, "policy", c->policy < 0 ? NULL
					       : json_object_new_string(f->cpufreq.policies[c->policy].name));
		/* the file's own spelling: 0 no limit, n/a no idle state */
		add(o, "pm_qos_resume_latency_us",
		    c->resume_latency_us == FACT_UNKNOWN ? NULL
		    : c->resume_latency_us < 0	     ? json_object_new_int(0)
		    : c->resume_latency_us == 0	     ? json_object_new_string("n/a")
						     : json_object_new_int64(c->resume_latency_us));
		add(o, "energy_perf_bias", num_or_null(c->epb));
		add(o, "idle_states", idle_states(c));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *cpufreq(const struct facts *f)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	for (size_t i = 0; i < f->cpufreq.count; i++) {
		const struct cpufreq_policy *p = &f->cpufreq.policies[i];
		json_object *q = json_object_new_object();
		add(q, "name", json_object_new_string(p->name));
		add(q, "cpus", cpulist(&p->cpus));
		add(q, "driver", str_or_null(p->driver));
		add(q, "governor", str_or_null(p->governor));
		add(q, "available_governors", str_or_null(p->governors));
		add(q, "cur_khz", num_or_null(p->cur_khz));
		add(q, "hw_cur_khz", num_or_null(p->hw_cur_khz));
		add(q, "min_khz", num_or_null(p->min_khz));
		add(q, "max_khz", num_or_null(p->max_khz));
		add(q, "hw_min_khz", num_or_null(p->hw_min_khz));
		add(q, "hw_max_khz", num_or_null(p->hw_max_khz));
		add(q, "base_khz", num_or_null(p->base_khz));
		add(q, "epp", str_or_null(p->epp));
		add(q, "available_epp", str_or_null(p->epps));
		json_object_array_add(a, q);
	}
	add(o, "policies", a);
	add(o, "intel_pstate", str_or_null(f->cpufreq.intel_pstate));
	add(o, "amd_pstate", str_or_null(f->cpufreq.amd_pstate));
	add(o, "no_turbo", flag_or_null(f->cpufreq.no_turbo));
	add(o, "boost", flag_or_null(f->cpufreq.boost));
	add(o, "min_perf_pct", num_or_null(f->cpufreq.min_perf_pct));
	add(o, "max_perf_pct", num_or_null(f->cpufreq.max_perf_pct));
	return o;
}

static json_object *facts(const struct facts *f)
{
	json_object *o = json_object_new_object(), *cpu = json_object_new_object();
	json_object *flags = json_object_new_object();

	add(cpu, "arch", str_or_null(f->arch));
	add(cpu, "vendor", str_or_null(f->vendor));
	add(cpu, "model_name", str_or_null(f->model_name));
	add(cpu, "family", num_or_null(f->family));
	add(cpu, "model", num_or_null(f->model));
	add(cpu, "nominal_mhz", f->nominal_mhz > 0 ? json_object_new_double(f->nominal_mhz) : NULL);
	add(flags, "hypervisor", json_object_new_boolean(f->flag_hypervisor));
	add(flags, "aperfmperf", json_object_new_boolean(f->flag_aperfmperf));
	add(flags, "constant_tsc", json_object_new_boolean(f->flag_constant_tsc));
	add(flags, "hwp", json_object_new_boolean(f->flag_hwp));
	add(cpu, "flags", flags);
	add(cpu, "count", json_object_new_int((int)f->ncpus));
	add(cpu, "possible", cpulist(&f->possible));
	add(cpu, "present", cpulist(&f->present));
	add(cpu, "online", cpulist(&f->online));
	add(cpu, "sockets", num_or_null(f->sockets));
	add(cpu, "cores", num_or_null(f->cores));
	add(cpu, "numa_nodes", num_or_null(f->nodes));
	add(o, "cpu", cpu);
	add(o, "cpus", cpus(f));
	add(o, "cpufreq", cpufreq(f));

	json_object *idle = json_object_new_object();
	add(idle, "driver", str_or_null(f->cpuidle.driver));
	add(idle, "governor", str_or_null(f->cpuidle.governor));
	add(o, "cpuidle", idle);

	json_object *qos = json_object_new_object();
	add(qos, "cpu_dma_latency_us", num_or_null(f->dma_latency_us));
	add(o, "pm_qos", qos);

	json_object *k = json_object_new_object(), *params = json_object_new_object();
	add(k, "cmdline", str_or_null(f->cmdline_raw));
	for (size_t i = 0; i < f->cmdline.count; i++)
		add(params, f->cmdline.params[i].name, f->cmdline.params[i].value
							       ? json_object_new_string(f->cmdline.params[i].value)
							       : json_object_new_boolean(1));
	add(k, "params", params);
	add(k, "clocksource", str_or_null(f->clocksource));
	add(k, "available_clocksources", str_or_null(f->clocksources));
	add(k, "steal_pct", f->steal_pct < 0 ? NULL : json_object_new_double(f->steal_pct));
	add(o, "kernel", k);

	json_object *m = json_object_new_object();
	add(m, "thp_enabled", str_or_null(f->mem.thp_enabled));
	add(m, "thp_defrag", str_or_null(f->mem.thp_defrag));
	add(m, "ksm_run", num_or_null(f->mem.ksm_run));
	add(m, "ksm_pages_sharing", f->mem.ksm_pages_sharing < 0 ? NULL
				    : json_object_new_int64(f->mem.ksm_pages_sharing));
	add(m, "numa_balancing", flag_or_null(f->mem.numa_balancing));
	add(m, "swappiness", num_or_null(f->mem.swappiness));
	add(o, "memory", m);
	return o;
}

static json_object *platform(const struct facts *f)
{
	json_object *o = json_object_new_object();
	add(o, "role", json_object_new_string(platform_role_name(f->platform.role)));
	add(o, "hypervisor", str_or_null(f->platform.hypervisor));
	add(o, "cloud", str_or_null(f->platform.cloud));
	add(o, "dmi_vendor", str_or_null(f->platform.dmi_vendor));
	add(o, "dmi_product", str_or_null(f->platform.dmi_product));
	add(o, "kvm_host", json_object_new_boolean(f->platform.kvm_host));
	return o;
}

static json_object *findings(const struct findings *fs)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < fs->count; i++) {
		const struct finding *x = &fs->items[i];
		json_object *o = json_object_new_object(), *ev = json_object_new_array();
		json_object *fix = json_object_new_object();
		add(o, "id", json_object_new_string(x->id));
		add(o, "severity", json_object_new_string(severity_name(x->severity)));
		add(o, "subject", json_object_new_string(x->subject));
		add(o, "title", json_object_new_string(x->title));
		for (size_t j = 0; j < x->nevidence; j++) {
			json_object *e = json_object_new_object();
			add(e, "source", json_object_new_string(x->evidence[j].source));
			add(e, "value", json_object_new_string(x->evidence[j].value));
			json_object_array_add(ev, e);
		}
		add(o, "evidence", ev);
		add(o, "why", str_or_null(x->why));
		add(fix, "runtime", str_or_null(x->fix_runtime));
		add(fix, "persistent", str_or_null(x->fix_persistent));
		add(o, "fix", fix);
		json_object_array_add(a, o);
	}
	return a;
}

int output_json(FILE *out, const struct report *r)
{
	const struct facts *f = r->facts;
	json_object *o = json_object_new_object(), *host = json_object_new_object();
	json_object *problems = json_object_new_array();

	if (!o || !host || !problems)
		return -1;
	add(o, "schema", json_object_new_int(JSON_SCHEMA));
	add(o, "version", json_object_new_string(LATDOC_VERSION));
	add(host, "hostname", str_or_null(f->hostname));
	add(host, "kernel", str_or_null(f->kernel));
	add(host, "root", json_object_new_string(r->root));
	add(host, "live", json_object_new_boolean(f->live));
	add(host, "platform", platform(f));
	add(o, "host", host);
	add(o, "facts", facts(f));
	add(o, "findings", findings(r->findings));
	for (size_t i = 0; i < f->nproblems; i++)
		json_object_array_add(problems, json_object_new_string(f->problems[i]));
	add(o, "problems", problems);

	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = text ? 0 : -1;
	if (text)
		fprintf(out, "%s\n", text);
	json_object_put(o);
	return rc;
}
