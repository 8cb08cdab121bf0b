/* latdoc report: one self-contained HTML page. No script, nothing fetched
 * (a Content-Security-Policy forbids both), CSS inline, charts as inline
 * SVG; it prints on paper and reads on a phone. Every string in it came
 * from a machine or a saved report: all of it is escaped for HTML, and the
 * page is valid UTF-8. */
#ifndef LATDOC_HTML_H
#define LATDOC_HTML_H

#include <json-c/json.h>
#include <stdio.h>

#include "../diff/diff.h"

/* The page of one side, or of two with their diff D (NULL for one).
 * Returns 0, or -1 when out of memory. */
int output_html(FILE *out, const struct diff_side *sides, size_t nsides, const struct diff *d);

/* Pieces the page and its charts share (src/report/html.c, svg.c). */
void html_text(FILE *out, const char *s);          /* escaped text */
void html_json_text(FILE *out, json_object *o);    /* a string member, escaped; "-" */

/* The charts of one document, each an inline <svg> in a <figure>; those
 * the document has no data for are left out. */
void html_chart_clock(FILE *out, json_object *doc);
void html_chart_idle(FILE *out, json_object *doc);
void html_chart_wake(FILE *out, json_object *doc);

#endif
