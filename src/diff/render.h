/* latdoc diff's answer: for a terminal, as JSON, and as an HTML section of
 * latdoc report. */
#ifndef LATDOC_DIFF_RENDER_H
#define LATDOC_DIFF_RENDER_H

#include <stdio.h>

#include "diff.h"

void output_diff_text(FILE *out, const struct diff_side *a, const struct diff_side *b,
		      const struct diff *d);
/* Returns 0, or -1 when the JSON could not be built. */
int output_diff_json(FILE *out, const struct diff_side *a, const struct diff_side *b,
		     const struct diff *d);

#endif
