/* rtt and ttfb results, for a terminal and as JSON. */
#ifndef LATDOC_NET_REPORT_H
#define LATDOC_NET_REPORT_H

#include <stdio.h>

#include "../net/rtt.h"
#include "../net/ttfb.h"
#include "output.h"

void output_rtt_text(FILE *out, const struct rtt_result *r, long size, long long interval_ns);
/* The JSON documents start with check's head, for the host F. */
int output_rtt_json(FILE *out, const struct facts *f, const struct rtt_result *r, long size,
		    long long interval_ns);
void output_ttfb_text(FILE *out, const struct ttfb_result *r);
int output_ttfb_json(FILE *out, const struct facts *f, const struct ttfb_result *r);

#endif
