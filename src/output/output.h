/* Output: the findings and facts for a person (text) or a program (JSON). */
#ifndef LATDOC_OUTPUT_H
#define LATDOC_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "../facts/facts.h"
#include "../findings/findings.h"
#include "../measure/measure.h"

/* The JSON layout's version: bump it when a field changes meaning or goes. */
#define JSON_SCHEMA 1

struct report {
	const struct facts *facts;
	const struct findings *findings;
	const char *root;     /* the directory audited */
	enum severity fail_on;
	const struct freq_result *freq; /* check --measure; NULL otherwise */
	const struct wake_result *wake;
};

void output_text(FILE *out, const struct report *r, bool color);
/* Returns 0, or -1 when the JSON could not be built (out of memory). */
int output_json(FILE *out, const struct report *r);

/* The VMs audited on a host and the virtual hardware seen in a guest, for
 * the text report. */
void output_vms_text(FILE *out, const struct facts *f);
void output_guest_text(FILE *out, const struct facts *f);

void output_freq_text(FILE *out, const struct freq_result *r);
void output_wake_text(FILE *out, const struct wake_result *w);

const char *platform_role_name(enum platform_role role);
/* "bare metal", "KVM guest on aws", ... for one line of text */
void platform_describe(const struct facts *f, char *out, size_t outsz);

#endif
