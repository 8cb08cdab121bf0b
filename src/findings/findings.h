/* A finding: one thing that costs latency, with the evidence for it, why
 * it matters and how to fix it. Rules make them; outputs print them. */
#ifndef LATDOC_FINDINGS_H
#define LATDOC_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL };

struct evidence {
	char *source; /* the file (or fact) the value came from */
	char *value;
};

struct finding {
	const char *id;   /* from the rule table: static */
	enum severity severity;
	unsigned order;   /* the rule's place in the table, for ranking */
	char *subject;    /* "cpus 0-7", "system", "policy0" */
	char *title;      /* one line */
	struct evidence *evidence;
	size_t nevidence;
	char *why;
	char *fix_runtime;
	char *fix_persistent;
};

struct findings {
	struct finding *items;
	size_t count;
	bool out_of_memory; /* a finding could not be recorded in full */
};

const char *severity_name(enum severity s);
int severity_parse(const char *name, enum severity *out);

/* Adds a finding; the formatted strings are copied. On allocation failure
 * these record out_of_memory and return NULL, and the other functions
 * accept that NULL, so rules need not check each call. */
struct finding *finding_add(struct findings *fs, const char *id, enum severity sev,
			    const char *subject, const char *title_fmt, ...)
	__attribute__((format(printf, 5, 6)));
void finding_evidence(struct findings *fs, struct finding *f, const char *source,
		      const char *value_fmt, ...) __attribute__((format(printf, 4, 5)));
void finding_why(struct findings *fs, struct finding *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Either may be NULL: a VM's hardware has no runtime fix. */
void finding_fix(struct findings *fs, struct finding *f, const char *runtime,
		 const char *persistent);

/* Most costly first: severity, then the rule table's order. */
void findings_sort(struct findings *fs);
/* The highest severity present, or -1 with no findings. */
int findings_worst(const struct findings *fs);
void findings_free(struct findings *fs);

#endif
