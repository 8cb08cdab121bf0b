/* The fleet: many hosts' saved `check --json` reports (as the Ansible
 * playbook in contrib/ansible fetches them) summarised. Reports come from
 * other machines: each is read within limits, checked field by field, and
 * one that does not hold is a failed host with the reason, never a crash. */
#ifndef LATDOC_FLEET_H
#define LATDOC_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../findings/findings.h"

/* Limits on one report: bytes, and JSON values (json-c spends ~50 bytes
 * on each, so this bounds memory too). */
#define FLEET_MAX_REPORT (16u << 20)
#define FLEET_MAX_VALUES 1000000
#define FLEET_MAX_FILES 100000
#define FLEET_MAX_DEPTH 8 /* directories below an operand */

/* The measurements compared across hosts, each one number per host. */
enum fleet_measure {
	FLEET_CLOCK_MHZ,         /* median measured clock of the CPUs */
	FLEET_CLOCK_RATIO,       /* ... over the rated (or highest) clock */
	FLEET_TIMER_P99_US,      /* timer wake-up p99, idle states allowed */
	FLEET_TIMER_HELD_P99_US, /* ... held off */
	FLEET_CROSS_P99_US,      /* the slowest cross-CPU pair's p99, allowed */
	FLEET_MEASURES
};

struct fleet_finding {
	char *id, *subject;
	enum severity severity;
};

struct fleet_host {
	char *name;       /* host.hostname; the report's directory when it names none */
	char *path;       /* the report read */
	time_t generated; /* its "generated", else the file's mtime */
	bool stale;
	int worst;        /* -1: no finding */
	struct fleet_finding *findings;
	size_t nfindings;
	double measure[FLEET_MEASURES]; /* NaN: not measured */
};

/* A report that could not be used, or a run the playbook saw fail. */
struct fleet_failure {
	char *path, *why;
};

/* Two reports of one host: the older is left out. */
struct fleet_duplicate {
	char *name, *used, *ignored;
};

struct fleet_outlier {
	enum fleet_measure measure;
	size_t host;    /* index in hosts */
	double value, median;
	bool high;      /* above the fleet, else below */
};

struct fleet_group {
	const char *id;      /* borrowed from a host's finding */
	enum severity worst;
	size_t *hosts;       /* indexes in hosts, in host order */
	size_t count;
	size_t per[SEV_CRITICAL + 1]; /* hosts by their worst finding of this id */
};

struct fleet {
	time_t now;
	long long stale_after_s;
	struct fleet_host *hosts;
	size_t nhosts;
	struct fleet_failure *failed;
	size_t nfailed;
	struct fleet_duplicate *duplicates;
	size_t nduplicates;
	/* the summary, made by fleet_summarise() */
	struct fleet_group *groups; /* by finding id: most hosts first */
	size_t ngroups;
	struct fleet_outlier *outliers;
	size_t noutliers;
	size_t nstale;
};

/* Reads every report under PATHS (directories, walked for *.json reports
 * and the playbook's check.err failure notes, or report files), sorted by
 * host. Returns 0, or -1 with ERR set when an operand is not there or
 * memory ran out; a bad report is a failure in FL, not an error. */
int fleet_load(struct fleet *fl, char *const *paths, size_t npaths, char *err, size_t errsz);

/* Takes one report, TEXT of LEN bytes read from PATH (whose mtime stands
 * in for a missing "generated"), as a host or a failure. -1 when out of
 * memory. fleet_load() reads files with it; the fuzzer calls it. */
int fleet_add_report(struct fleet *fl, const char *path, const char *text, size_t len, time_t mtime);

/* Groups the findings by id, marks stale hosts and finds the outliers. */
int fleet_summarise(struct fleet *fl);

void fleet_free(struct fleet *fl);


const char *fleet_measure_name(enum fleet_measure m);
/* the unit its values are printed in: "" for a ratio, "us" */
const char *fleet_measure_unit(enum fleet_measure m);

#endif
