/* Metrics as Prometheus reads them: families of samples, written in the
 * text exposition format 0.0.4 or in OpenMetrics 1.0.0 from the same set.
 * docs/METRICS.md lists the families latdoc exports. */
#ifndef LATDOC_PROM_H
#define LATDOC_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum prom_type {
	PROM_GAUGE,
	PROM_COUNTER, /* named without "_total": the writer adds it where each format wants it */
	PROM_INFO,    /* labels only, value 1; named without "_info", likewise */
};

enum prom_format {
	PROM_TEXT,        /* text/plain; version=0.0.4 */
	PROM_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
};

#define PROM_TEXT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define PROM_OPENMETRICS_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

struct prom_sample {
	char *labels; /* written out: {name="value",...}, or "" */
	double value;
};

struct prom_family {
	const char *name; /* static */
	const char *unit; /* "seconds", "hertz" ...: the name ends with it; NULL none */
	const char *help; /* static, one line */
	enum prom_type type;
	struct prom_sample *samples;
	size_t count; /* grown by array_grow: the capacity follows from it */
};

struct prom_set {
	struct prom_family **families; /* each allocated alone: a family's address holds */
	size_t count; /* grown by array_grow: the capacity follows from it */
	bool out_of_memory; /* a sample could not be kept: the set is incomplete */
};

/* The family NAME of S, added (without samples) when new. NAME, UNIT and
 * HELP must outlive S. NULL when out of memory; prom_add() takes that. */
struct prom_family *prom_family(struct prom_set *s, enum prom_type type, const char *name,
				const char *unit, const char *help);

/* Adds a sample of VALUE to F, labelled by the NULL-terminated pairs of
 * label name and value that follow (8 at most). Values may be any bytes:
 * they are escaped, and what is not UTF-8 becomes U+FFFD. A label with an
 * empty value is left out (to Prometheus it is the same as none). */
void prom_add(struct prom_set *s, struct prom_family *f, double value, ...)
	__attribute__((sentinel));

/* Writes every family of S that has samples, each family's samples sorted
 * (in place) by their labels and any repeated label set once. Returns 0, or
 * -1 when OUT failed. */
int prom_write(FILE *out, struct prom_set *s, enum prom_format fmt);
/* What ends an exposition: "# EOF" in OpenMetrics, nothing in 0.0.4. */
int prom_write_end(FILE *out, enum prom_format fmt);

/* Which format a scraper asked for in its Accept header (NULL: none):
 * OpenMetrics when it names application/openmetrics-text with a q above
 * that of text/plain, else the text format. */
enum prom_format prom_negotiate(const char *accept);

void prom_set_free(struct prom_set *s);

#endif
