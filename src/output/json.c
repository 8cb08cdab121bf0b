/* The report as one JSON object: schema, version, host, facts, findings,
 * problems. docs/JSON.md documents every field. Unknown values are null. */
#include "output.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/escape.h"
#include "../version.h"
#include "json_util.h"

json_object *json_str_or_null(const char *s)
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

void json_add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *idle_states(const struct cpu *c)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < c->nstates; i++) {
		const struct idle_state *s = &c->states[i];
		json_object *o = json_object_new_object();
		json_add(o, "name", json_str_or_null(s->name));
		json_add(o, "desc", json_str_or_null(s->desc));
		json_add(o, "latency_us", num_or_null(s->latency_us));
		json_add(o, "residency_us", num_or_null(s->residency_us));
		json_add(o, "disabled", flag_or_null(s->disabled));
		json_add(o, "usage", s->usage < 0 ? NULL : json_object_new_int64(s->usage));
		json_add(o, "time_us", s->time_us < 0 ? NULL : json_object_new_int64(s->time_us));
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
		json_add(o, "id", json_object_new_int(c->id));
		json_add(o, "online", json_object_new_boolean(c->online));
		json_add(o, "package", num_or_null(c->package));
		json_add(o, "core", num_or_null(c->core));
		json_add(o, "node", num_or_null(c->node));
		json_add(o, "cpuinfo_mhz", c->cpuinfo_mhz > 0 ? json_object_new_double(c->cpuinfo_mhz) : NULL);
		json_add(o, "policy", c->policy < 0 ? NULL
					       : json_object_new_string(f->cpufreq.policies[c->policy].name));
		/* the file's own spelling: 0 no limit, n/a no idle state */
		json_add(o, "pm_qos_resume_latency_us",
		    c->resume_latency_us == FACT_UNKNOWN ? NULL
		    : c->resume_latency_us < 0	     ? json_object_new_int(0)
		    : c->resume_latency_us == 0	     ? json_object_new_string("n/a")
						     : json_object_new_int64(c->resume_latency_us));
		json_add(o, "energy_perf_bias", num_or_null(c->epb));
		json_add(o, "idle_states", idle_states(c));
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
		json_add(q, "name", json_object_new_string(p->name));
		json_add(q, "cpus", cpulist(&p->cpus));
		json_add(q, "driver", json_str_or_null(p->driver));
		json_add(q, "governor", json_str_or_null(p->governor));
		json_add(q, "available_governors", json_str_or_null(p->governors));
		json_add(q, "cur_khz", num_or_null(p->cur_khz));
		json_add(q, "hw_cur_khz", num_or_null(p->hw_cur_khz));
		json_add(q, "min_khz", num_or_null(p->min_khz));
		json_add(q, "max_khz", num_or_null(p->max_khz));
		json_add(q, "hw_min_khz", num_or_null(p->hw_min_khz));
		json_add(q, "hw_max_khz", num_or_null(p->hw_max_khz));
		json_add(q, "base_khz", num_or_null(p->base_khz));
		json_add(q, "epp", json_str_or_null(p->epp));
		json_add(q, "available_epp", json_str_or_null(p->epps));
		json_object_array_add(a, q);
	}
	json_add(o, "policies", a);
	json_add(o, "intel_pstate", json_str_or_null(f->cpufreq.intel_pstate));
	json_add(o, "amd_pstate", json_str_or_null(f->cpufreq.amd_pstate));
	json_add(o, "no_turbo", flag_or_null(f->cpufreq.no_turbo));
	json_add(o, "boost", flag_or_null(f->cpufreq.boost));
	json_add(o, "min_perf_pct", num_or_null(f->cpufreq.min_perf_pct));
	json_add(o, "max_perf_pct", num_or_null(f->cpufreq.max_perf_pct));
	return o;
}

static json_object *facts(const struct facts *f)
{
	json_object *o = json_object_new_object(), *cpu = json_object_new_object();
	json_object *flags = json_object_new_object();

	json_add(cpu, "arch", json_str_or_null(f->arch));
	json_add(cpu, "vendor", json_str_or_null(f->vendor));
	json_add(cpu, "model_name", json_str_or_null(f->model_name));
	json_add(cpu, "family", num_or_null(f->family));
	json_add(cpu, "model", num_or_null(f->model));
	json_add(cpu, "nominal_mhz", f->nominal_mhz > 0 ? json_object_new_double(f->nominal_mhz) : NULL);
	json_add(flags, "hypervisor", json_object_new_boolean(f->flag_hypervisor));
	json_add(flags, "aperfmperf", json_object_new_boolean(f->flag_aperfmperf));
	json_add(flags, "constant_tsc", json_object_new_boolean(f->flag_constant_tsc));
	json_add(flags, "hwp", json_object_new_boolean(f->flag_hwp));
	json_add(cpu, "flags", flags);
	json_add(cpu, "count", json_object_new_int((int)f->ncpus));
	json_add(cpu, "possible", cpulist(&f->possible));
	json_add(cpu, "present", cpulist(&f->present));
	json_add(cpu, "online", cpulist(&f->online));
	json_add(cpu, "sockets", num_or_null(f->sockets));
	json_add(cpu, "cores", num_or_null(f->cores));
	json_add(cpu, "numa_nodes", num_or_null(f->nodes));
	json_add(o, "cpu", cpu);
	json_add(o, "cpus", cpus(f));
	json_add(o, "cpufreq", cpufreq(f));

	json_object *idle = json_object_new_object();
	json_add(idle, "driver", json_str_or_null(f->cpuidle.driver));
	json_add(idle, "governor", json_str_or_null(f->cpuidle.governor));
	json_add(o, "cpuidle", idle);

	json_object *qos = json_object_new_object();
	json_add(qos, "cpu_dma_latency_us", num_or_null(f->dma_latency_us));
	json_object *holders = NULL;
	if (f->pm_qos.scanned) {
		holders = json_object_new_array();
		for (size_t i = 0; i < f->pm_qos.nholders; i++) {
			json_object *h = json_object_new_object();
			json_add(h, "pid", json_object_new_int(f->pm_qos.holders[i].pid));
			json_add(h, "command", json_str_or_null(f->pm_qos.holders[i].comm));
			json_object_array_add(holders, h);
		}
	}
	json_add(qos, "holders", holders);
	json_add(qos, "hold_expected_by", json_str_or_null(f->pm_qos.expected_by));
	json_add(o, "pm_qos", qos);

	json_object *k = json_object_new_object(), *params = json_object_new_object();
	json_add(k, "cmdline", json_str_or_null(f->cmdline_raw));
	for (size_t i = 0; i < f->cmdline.count; i++)
		json_add(params, f->cmdline.params[i].name, f->cmdline.params[i].value
							       ? json_object_new_string(f->cmdline.params[i].value)
							       : json_object_new_boolean(1));
	json_add(k, "params", params);
	json_add(k, "clocksource", json_str_or_null(f->clocksource));
	json_add(k, "available_clocksources", json_str_or_null(f->clocksources));
	json_add(k, "steal_pct", f->steal_pct < 0 ? NULL : json_object_new_double(f->steal_pct));
	json_add(o, "kernel", k);

	json_object *m = json_object_new_object();
	json_add(m, "thp_enabled", json_str_or_null(f->mem.thp_enabled));
	json_add(m, "thp_defrag", json_str_or_null(f->mem.thp_defrag));
	json_add(m, "ksm_run", num_or_null(f->mem.ksm_run));
	json_add(m, "ksm_pages_sharing", f->mem.ksm_pages_sharing < 0 ? NULL
				    : json_object_new_int64(f->mem.ksm_pages_sharing));
	json_add(m, "numa_balancing", flag_or_null(f->mem.numa_balancing));
	json_add(m, "swappiness", num_or_null(f->mem.swappiness));
	json_add(o, "memory", m);
	json_add(o, "virt", json_virt(f));
	json_add(o, "guest", json_guest(f));
	return o;
}

static json_object *platform(const struct facts *f)
{
	json_object *o = json_object_new_object();
	json_add(o, "role", json_object_new_string(platform_role_name(f->platform.role)));
	json_add(o, "hypervisor", json_str_or_null(f->platform.hypervisor));
	json_add(o, "cloud", json_str_or_null(f->platform.cloud));
	json_add(o, "dmi_vendor", json_str_or_null(f->platform.dmi_vendor));
	json_add(o, "dmi_product", json_str_or_null(f->platform.dmi_product));
	json_add(o, "kvm_host", json_object_new_boolean(f->platform.kvm_host));
	return o;
}

static json_object *actions(const struct finding *x)
{
	static const struct {
		unsigned bit;
		const char *name;
	} needs[] = { { NEEDS_ROOT, "root" }, { NEEDS_REBOOT, "reboot" }, { NEEDS_VM_RESTART, "vm-restart" } };
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < x->nactions; i++) {
		const struct fix_action *fa = &x->actions[i];
		json_object *o = json_object_new_object(), *n = json_object_new_array();
		json_add(o, "kind", json_object_new_string(fix_kind_name(fa->kind)));
		json_add(o, "when", json_object_new_string(fa->when == FIX_RUNTIME ? "runtime" : "persistent"));
		json_add(o, "target", json_object_new_string(fa->target));
		json_add(o, "key", json_str_or_null(fa->key));
		json_add(o, "now", fa->now ? json_object_new_string(fa->now) : NULL);
		json_add(o, "want", json_object_new_string(fa->want));
		for (size_t k = 0; k < sizeof(needs) / sizeof(needs[0]); k++)
			if (fa->needs & needs[k].bit)
				json_object_array_add(n, json_object_new_string(needs[k].name));
		json_add(o, "needs", n);
		json_add(o, "variant", json_str_or_null(fa->variant));
		json_object_array_add(a, o);
	}
	return a;
}

/* What check's exit status says, so a program need not work it out. */
static json_object *verdict(const struct report *r)
{
	json_object *o = json_object_new_object();
	json_add(o, "worst", r->worst < 0 ? NULL : json_object_new_string(severity_name(r->worst)));
	json_add(o, "fail_on", json_object_new_string(severity_name(r->fail_on)));
	json_add(o, "fails", json_object_new_boolean(r->fails));
	return o;
}

static json_object *findings(const struct findings *fs)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < fs->count; i++) {
		const struct finding *x = &fs->items[i];
		json_object *o = json_object_new_object(), *ev = json_object_new_array();
		json_object *fix = json_object_new_object();
		json_add(o, "id", json_object_new_string(x->id));
		json_add(o, "severity", json_object_new_string(severity_name(x->severity)));
		json_add(o, "subject", json_object_new_string(x->subject));
		json_add(o, "title", json_object_new_string(x->title));
		for (size_t j = 0; j < x->nevidence; j++) {
			json_object *e = json_object_new_object();
			json_add(e, "source", json_object_new_string(x->evidence[j].source));
			json_add(e, "value", json_object_new_string(x->evidence[j].value));
			json_object_array_add(ev, e);
		}
		json_add(o, "evidence", ev);
		json_add(o, "why", json_str_or_null(x->why));
		json_add(fix, "runtime", json_str_or_null(x->fix_runtime));
		json_add(fix, "persistent", json_str_or_null(x->fix_persistent));
		json_add(fix, "actions", actions(x));
		json_add(o, "fix", fix);
		json_object_array_add(a, o);
	}
	return a;
}

json_object *json_generated(time_t t)
{
	char when[32];
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return json_object_new_string(when);
}

json_object *json_document(const struct facts *f, const char *root)
{
	json_object *o = json_object_new_object(), *host = json_object_new_object();
	json_add(o, "schema", json_object_new_int(JSON_SCHEMA));
	json_add(o, "version", json_object_new_string(LATDOC_VERSION));
	json_add(o, "generated", json_generated(time(NULL)));
	json_add(host, "hostname", json_str_or_null(f->hostname));
	json_add(host, "kernel", json_str_or_null(f->kernel));
	json_add(host, "os", json_str_or_null(f->os.pretty));
	json_add(host, "root", json_object_new_string(root));
	json_add(host, "live", json_object_new_boolean(f->live));
	json_add(host, "platform", platform(f));
	json_add(o, "host", host);
	return o;
}

json_object *json_report(const struct report *r)
{
	const struct facts *f = &r->facts;
	json_object *o = json_document(f, r->root_dir), *problems = json_object_new_array();

	json_add(o, "facts", facts(f));
	json_add(o, "findings", findings(&r->findings));
	json_add(o, "verdict", verdict(r));
	if (r->freq || r->wake)
		json_add(o, "measurements", json_measurements(r->freq, r->wake));
	for (size_t i = 0; i < f->nproblems; i++)
		json_object_array_add(problems, json_object_new_string(f->problems[i]));
	json_add(o, "problems", problems);
	return o;
}

int output_json(FILE *out, const struct report *r)
{
	return json_write(out, json_report(r));
}

/* json-c escapes control characters but copies other bytes as they are:
 * a byte from the machine that is not UTF-8 would make the document
 * invalid, so it becomes U+FFFD here, where every command's JSON passes. */
int json_write(FILE *out, json_object *o)
{
	size_t len, fixed_len;
	const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PRETTY |
								     JSON_C_TO_STRING_SPACED |
								     JSON_C_TO_STRING_NOSLASHESCAPE,
							     &len);
	char *fixed = text ? utf8_repair(text, len, &fixed_len) : NULL;
	int rc = fixed ? 0 : -1;
	if (fixed) {
		fwrite(fixed, 1, fixed_len, out);
		fputc('\n', out);
	}
	free(fixed);
	json_object_put(o);
	return rc;
}
