/* latdoc diff: two machines (or two moments of one) compared in one form,
 * the document `check --json` writes. A root, an archive or `live` is
 * audited first (audit_run); a saved check, measure, rtt or ttfb report is
 * read as it is. What differs that matters for latency comes out as rows,
 * most costly first: findings, settings (one table, src/diff/facts.c) and
 * measurements (src/diff/measures.c, with the ratio). Hostnames, serial
 * numbers and counters are never compared. */
#ifndef LATDOC_DIFF_H
#define LATDOC_DIFF_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* One side: its document and where it came from. */
struct diff_side {
	char *input;      /* as given: "aws.tgz", "live" */
	const char *kind; /* "live", "root", "archive", "report" */
	json_object *doc; /* owned */
	bool facts, findings, measurements; /* what the document holds */
};

/* Reads ARG: "live", a directory, an archive, or a saved JSON report
 * (schema checked). MEASURE: measure the machine too, when ARG is live.
 * Returns 0, or -1
 * with what was wrong and what to do in ERR. */
int diff_side_load(const char *arg, bool measure, struct diff_side *out, char *err, size_t errsz);
void diff_side_free(struct diff_side *s);
/* N (1 or 2) sides at once, the second on a thread of its own unless
 * measuring; ERR says which side ("A: ...") failed. */
int diff_sides_load(const char *const *args, size_t n, bool measure, struct diff_side *out, char *err,
		    size_t errsz);

enum diff_section { DIFF_FINDING, DIFF_FACT, DIFF_MEASUREMENT };

struct diff_row {
	enum diff_section section;
	char *key;   /* stable, for programs: "cpufreq.governor", the finding's id */
	char *label; /* in words: "cpufreq governor"; a finding's title */
	char *subject; /* a finding's subject, else NULL */
	char *a, *b; /* the values as text, NULL when that side has none */
	double va, vb, ratio; /* measurements: the numbers and b / a */
	const char *unit;     /* measurements: "us", "MHz" */
	const char *check;    /* the check id that weighs it, or NULL */
	bool matters;         /* beyond noise: a finding or setting that differs, a
			       * measurement off by more than its tolerance */
	char worse;           /* 'a' or 'b': the side it costs, as far as known; 0 */
	int cost;             /* for the ranking, higher first */
};

struct diff {
	struct diff_row *rows;
	size_t count, cap;
	bool out_of_memory;
	char note[2][200]; /* what could not be compared, and why */
	/* diff_check_severity's answers, by document and check */
	struct {
		json_object *doc;
		const char *check;
		int worst;
	} severity[64];
	size_t nseverity;
};

/* Compares A with B into OUT, ranked. */
void diff_compare(const struct diff_side *a, const struct diff_side *b, struct diff *out);
void diff_free(struct diff *d);
/* Whether anything that matters differs: diff's exit status 1. */
bool diff_matters(const struct diff *d);

/* For the tables: adds a row (strings copied; A, B may be NULL). */
struct diff_row *diff_add(struct diff *d, enum diff_section section, const char *key,
			  const char *label, const char *a, const char *b);
/* The severity rank (2 critical, 1 warning, 0 info, -1 none) of the worst
 * finding of DOC whose id starts with CHECK; kept in D, so a table of many
 * rows reads the findings once per check. */
int diff_check_severity(struct diff *d, json_object *doc, const char *check);

void diff_findings(const struct diff_side *a, const struct diff_side *b, struct diff *out);
void diff_facts(const struct diff_side *a, const struct diff_side *b, struct diff *out);
void diff_measurements(const struct diff_side *a, const struct diff_side *b, struct diff *out);

/* One line about a side for the head of a diff or report: "web01, KVM
 * guest on aws, Intel(R) Xeon(R) ..., 4 CPUs". Not escaped. */
void diff_side_describe(const struct diff_side *s, char *out, size_t outsz);

#endif
