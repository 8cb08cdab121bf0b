/* The fleet summary for a person (text) or a program (JSON,
 * docs/JSON.md "fleet"). */
#ifndef LATDOC_FLEET_RENDER_H
#define LATDOC_FLEET_RENDER_H

#include <stdio.h>

#include "fleet.h"

void output_fleet_text(FILE *out, const struct fleet *fl);
/* Returns 0, or -1 when the JSON could not be built (out of memory). */
int output_fleet_json(FILE *out, const struct fleet *fl);

#endif
