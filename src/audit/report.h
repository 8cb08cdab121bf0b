/* A report: what one audit of one machine found. audit_run() makes it;
 * check, snapshot, diff, report, serve and tune read it. */
#ifndef LATDOC_REPORT_H
#define LATDOC_REPORT_H

#include <stdbool.h>

#include "../facts/facts.h"
#include "../findings/findings.h"

struct root;
struct freq_result;
struct wake_result;

struct report {
	char *root_dir;      /* the directory audited */
	struct root *root;   /* still open: snapshot copies what it read,
			      * tune writes through it */
	struct facts facts;
	struct findings findings;
	struct freq_result *freq; /* measured, or NULL */
	struct wake_result *wake;
	enum severity fail_on;
	int worst;  /* the highest severity found, -1 for none */
	bool fails; /* worst reaches fail_on: check exits 1 */
};

#endif
