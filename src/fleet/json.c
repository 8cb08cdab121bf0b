/* The fleet as JSON: {schema, version, generated, fleet}. docs/JSON.md
 * documents it. json-c escapes what needs escaping; the reports' strings
 * were checked to be UTF-8 when they were read. */
#include "render.h"

#include <json-c/json.h>
#include <math.h>

#include "../version.h"
#include "../output/json_util.h"
#include "../output/output.h"

static json_object *when(time_t t)
{
	return json_generated(t);
}

static json_object *host(const struct fleet_host *h)
{
	json_object *o = json_object_new_object(), *fs = json_object_new_array();
	json_object *m = json_object_new_object();
	json_add(o, "name", json_object_new_string(h->name));
	json_add(o, "report", json_object_new_string(h->path));
	json_add(o, "generated", when(h->generated));
	json_add(o, "stale", json_object_new_boolean(h->stale));
	json_add(o, "worst", h->worst < 0 ? NULL : json_object_new_string(severity_name(h->worst)));
	for (size_t i = 0; i < h->nfindings; i++) {
		json_object *x = json_object_new_object();
		json_add(x, "id", json_object_new_string(h->findings[i].id));
		json_add(x, "severity", json_object_new_string(severity_name(h->findings[i].severity)));
		json_add(x, "subject", json_object_new_string(h->findings[i].subject));
		json_object_array_add(fs, x);
	}
	json_add(o, "findings", fs);
	for (int k = 0; k < FLEET_MEASURES; k++)
		json_add(m, fleet_measure_name(k), isnan(h->measure[k]) ? NULL : json_object_new_double(h->measure[k]));
	json_add(o, "measurements", m);
	return o;
}

int output_fleet_json(FILE *out, const struct fleet *fl)
{
	json_object *o = json_object_new_object(), *f = json_object_new_object();
	json_object *hosts = json_object_new_array(), *groups = json_object_new_array();
	json_object *outliers = json_object_new_array(), *stale = json_object_new_array();
	json_object *failed = json_object_new_array(), *dups = json_object_new_array();

	json_add(o, "schema", json_object_new_int(JSON_SCHEMA));
	json_add(o, "version", json_object_new_string(LATDOC_VERSION));
	json_add(o, "generated", when(fl->now));
	json_add(f, "stale_after_s", json_object_new_int64(fl->stale_after_s));
	for (size_t h = 0; h < fl->nhosts; h++) {
		json_object_array_add(hosts, host(&fl->hosts[h]));
		if (fl->hosts[h].stale)
			json_object_array_add(stale, json_object_new_string(fl->hosts[h].name));
	}
	for (size_t i = 0; i < fl->ngroups; i++) {
		const struct fleet_group *g = &fl->groups[i];
		json_object *x = json_object_new_object(), *names = json_object_new_array();
		json_add(x, "id", json_object_new_string(g->id));
		json_add(x, "worst", json_object_new_string(severity_name(g->worst)));
		for (size_t k = 0; k < g->count; k++)
			json_object_array_add(names, json_object_new_string(fl->hosts[g->hosts[k]].name));
		json_add(x, "hosts", names);
		json_object_array_add(groups, x);
	}
	for (size_t i = 0; i < fl->noutliers; i++) {
		const struct fleet_outlier *p = &fl->outliers[i];
		json_object *x = json_object_new_object();
		json_add(x, "measure", json_object_new_string(fleet_measure_name(p->measure)));
		json_add(x, "host", json_object_new_string(fl->hosts[p->host].name));
		json_add(x, "value", json_object_new_double(p->value));
		json_add(x, "median", json_object_new_double(p->median));
		json_add(x, "side", json_object_new_string(p->high ? "above" : "below"));
		json_object_array_add(outliers, x);
	}
	for (size_t i = 0; i < fl->nfailed; i++) {
		json_object *x = json_object_new_object();
		json_add(x, "report", json_object_new_string(fl->failed[i].path));
		json_add(x, "why", json_object_new_string(fl->failed[i].why));
		json_object_array_add(failed, x);
	}
	for (size_t i = 0; i < fl->nduplicates; i++) {
		json_object *x = json_object_new_object();
		json_add(x, "host", json_object_new_string(fl->duplicates[i].name));
		json_add(x, "used", json_object_new_string(fl->duplicates[i].used));
		json_add(x, "ignored", json_object_new_string(fl->duplicates[i].ignored));
		json_object_array_add(dups, x);
	}
	json_add(f, "hosts", hosts);
	json_add(f, "findings", groups);
	json_add(f, "outliers", outliers);
	json_add(f, "stale", stale);
	json_add(f, "failed", failed);
	json_add(f, "duplicates", dups);
	json_add(o, "fleet", f);
	return json_write(out, o);
}
