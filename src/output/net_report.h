/* rtt and ttfb results, for a terminal and as JSON. */
#ifndef LATDOC_NET_REPORT_H
#define LATDOC_NET_REPORT_H

#include <stdio.h>

#include "../net/rtt.h"
#include "../net/ttfb.h"
#include "output.h"

/* One row of a percentile table: LABEL, samples, min ... max in us. */
void summary_row(FILE *out, const char *label, const struct summary *s);

void output_rtt_text(FILE *out, const struct rtt_result *r, long size, long long interval_ns);
int output_rtt_json(FILE *out, const struct rtt_result *r, long size, long long interval_ns);
void output_ttfb_text(FILE *out, const struct ttfb_result *r);
int output_ttfb_json(FILE *out, const struct ttfb_result *r);

#endif
