/* The audit: root -> facts -> (measurements) -> rules -> report, in one
 * function that every command calls rather than reading files its own way
 * (tests/t_05_layers.sh ranks the layers). */
#ifndef LATDOC_AUDIT_H
#define LATDOC_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

struct audit_options {
	const char *root;    /* the machine's root directory; "/" is this one */
	const char *connect; /* a libvirt URI the user named, or NULL */
	const char *only;    /* run only the checks whose id starts so; NULL all */
	bool measure;        /* also measure the clock and wake-ups (this machine only) */
	bool record;         /* keep every file read, for snapshot */
	/* Without measure: measurements taken before, weighed by the rules as
	 * if just taken (serve keeps its last one between measurements).
	 * Borrowed: the report does not free them. */
	const struct freq_result *earlier_freq;
	const struct wake_result *earlier_wake;
	enum severity fail_on;
};

/* Audits the machine at O->root into OUT. Returns 0, or -1 with what went
 * wrong, and what to do, in ERR (then OUT holds nothing to free). */
int audit_run(const struct audit_options *o, struct report *out, char *err, size_t errsz);
void report_free(struct report *r);
/* Frees measurements a report held (serve keeps them past its report). */
void measurements_free(struct freq_result *freq, struct wake_result *wake);

/* Whether ONLY names a check (a prefix of some id). */
bool audit_only_valid(const char *only);

#endif
