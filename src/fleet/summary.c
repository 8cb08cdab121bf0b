/* The summary: findings grouped by id, stale reports, and the outliers of
 * each measurement. An outlier is judged against the fleet itself, by
 * median and median absolute deviation (robust to the outliers it looks
 * for): more than 3 scaled MADs and more than 10% from the median, among
 * at least 3 hosts measured. */
#include "fleet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "../lib/doubles.h"

#define OUTLIER_MADS 3.0
#define OUTLIER_MIN_SHARE 0.10
#define OUTLIER_MIN_HOSTS 3
/* MAD to standard deviation for normal data */
#define MAD_SCALE 1.4826

const char *fleet_measure_name(enum fleet_measure m)
{
	static const char *const names[FLEET_MEASURES] = {
		[FLEET_CLOCK_MHZ] = "clock_mhz",
		[FLEET_CLOCK_RATIO] = "clock_ratio",
		[FLEET_TIMER_P99_US] = "timer_wakeup_p99_us",
		[FLEET_TIMER_HELD_P99_US] = "timer_wakeup_held_p99_us",
		[FLEET_CROSS_P99_US] = "cross_cpu_wakeup_p99_us",
	};
	return names[m];
}

const char *fleet_measure_unit(enum fleet_measure m)
{
	return m == FLEET_CLOCK_RATIO ? "" : m == FLEET_CLOCK_MHZ ? "MHz" : "us";
}

struct ref {
	const struct fleet_finding *x;
	size_t host;
};

static int by_id(const void *a, const void *b)
{
	const struct ref *p = a, *q = b;
	int c = strcmp(p->x->id, q->x->id);
	return c ? c : p->host < q->host ? -1 : p->host > q->host;
}

/* Sorted by id, then host: one pass makes the groups, however many ids a
 * fleet's reports hold. */
static int groups(struct fleet *fl)
{
	size_t n = 0, k = 0;
	for (size_t h = 0; h < fl->nhosts; h++)
		n += fl->hosts[h].nfindings;
	struct ref *refs = n ? calloc(n, sizeof(*refs)) : NULL;
	if (n && !refs)
		return -1;
	for (size_t h = 0; h < fl->nhosts; h++)
		for (size_t i = 0; i < fl->hosts[h].nfindings; i++)
			refs[k++] = (struct ref){ &fl->hosts[h].findings[i], h };
	if (n)
		qsort(refs, n, sizeof(*refs), by_id);
	enum severity host_worst = SEV_INFO;
	for (size_t i = 0; i < n; i++) {
		struct fleet_group *g = fl->ngroups ? &fl->groups[fl->ngroups - 1] : NULL;
		if (!g || strcmp(g->id, refs[i].x->id)) {
			g = array_grow(fl->groups, &fl->ngroups, sizeof(*g));
			if (!g)
				goto oom;
			fl->groups = g;
			g = &g[fl->ngroups - 1];
			g->id = refs[i].x->id;
			g->worst = refs[i].x->severity;
		}
		enum severity sev = refs[i].x->severity;
		if (sev > g->worst)
			g->worst = sev;
		/* a host once per id, however many subjects, at its worst */
		if (g->count && g->hosts[g->count - 1] == refs[i].host) {
			if (sev > host_worst) {
				g->per[host_worst]--;
				g->per[sev]++;
				host_worst = sev;
			}
			continue;
		}
		size_t *hs = array_grow(g->hosts, &g->count, sizeof(*hs));
		if (!hs)
			goto oom;
		g->hosts = hs;
		hs[g->count - 1] = refs[i].host;
		g->per[sev]++;
		host_worst = sev;
	}
	free(refs);
	return 0;
oom:
	free(refs);
	return -1;
}

static int by_reach(const void *a, const void *b)
{
	const struct fleet_group *x = a, *y = b;
	if (x->worst != y->worst)
		return x->worst > y->worst ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int outliers(struct fleet *fl)
{
	double *v = fl->nhosts ? calloc(fl->nhosts, sizeof(*v)) : NULL;
	if (fl->nhosts && !v)
		return -1;
	for (int m = 0; m < FLEET_MEASURES; m++) {
		size_t n = 0;
		for (size_t h = 0; h < fl->nhosts; h++)
			if (!isnan(fl->hosts[h].measure[m]))
				v[n++] = fl->hosts[h].measure[m];
		if (n < OUTLIER_MIN_HOSTS)
			continue;
		double median = doubles_median(v, n);
		for (size_t i = 0; i < n; i++)
			v[i] = fabs(v[i] - median);
		double spread = MAD_SCALE * doubles_median(v, n);
		for (size_t h = 0; h < fl->nhosts; h++) {
			double x = fl->hosts[h].measure[m], off = fabs(x - median);
			if (isnan(x) || off <= OUTLIER_MADS * spread || off <= OUTLIER_MIN_SHARE * fabs(median))
				continue;
			struct fleet_outlier *o = array_grow(fl->outliers, &fl->noutliers, sizeof(*o));
			if (!o) {
				free(v);
				return -1;
			}
			fl->outliers = o;
			o[fl->noutliers - 1] = (struct fleet_outlier){ m, h, x, median, x > median };
		}
	}
	free(v);
	return 0;
}

int fleet_summarise(struct fleet *fl)
{
	for (size_t h = 0; h < fl->nhosts; h++) {
		struct fleet_host *host = &fl->hosts[h];
		host->stale = fl->now - host->generated > fl->stale_after_s;
		fl->nstale += host->stale;
	}
	if (groups(fl) || outliers(fl))
		return -1;
	if (fl->ngroups)
		qsort(fl->groups, fl->ngroups, sizeof(*fl->groups), by_reach);
	return 0;
}
