/* A diff for a terminal: the two sides, then what differs that matters,
 * most costly first, in three parts, within 80 columns. Every string came
 * from a machine or a saved report and is escaped. */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"
#include "../output/output.h"

#define LABEL 34 /* settings: the label's column, then A and B */
#define VALUE 22

static void esc(char *dst, size_t n, const char *s)
{
	str_escape(dst, n, s ? s : "-", false);
}

static void head(FILE *out, const char *name, const struct diff_side *s)
{
	char about[512], input[200], line[800];
	diff_side_describe(s, about, sizeof(about));
	str_escape(input, sizeof(input), s->input, false);
	snprintf(line, sizeof(line), "%s  %s (%s): %s", name, input, s->kind, about);
	char safe[1200];
	str_escape(safe, sizeof(safe), line, false);
	output_wrapped(out, safe, 0, 3);
}

static void findings(FILE *out, const struct diff *d)
{
	bool any = false;
	for (size_t i = 0; i < d->count; i++) {
		const struct diff_row *r = &d->rows[i];
		char a[32], b[32], id[96], subject[512], title[512];
		if (r->section != DIFF_FINDING)
			continue;
		if (!any)
			fprintf(out, "\nFindings that differ, most costly first\n");
		any = true;
		esc(a, sizeof(a), r->a);
		esc(b, sizeof(b), r->b);
		esc(id, sizeof(id), r->key);
		esc(subject, sizeof(subject), r->subject);
		esc(title, sizeof(title), r->label);
		int col = fprintf(out, "  A %-9s B %-9s %s,", a, b, id);
		if (col + 1 + (int)strlen(subject) <= 80) {
			fprintf(out, " %s\n", subject);
		} else {
			fputc('\n', out);
			output_wrapped(out, subject, 26, 0);
		}
		output_wrapped(out, title, 6, 0);
	}
}

static void facts(FILE *out, const struct diff *d)
{
	bool any = false;
	for (size_t i = 0; i < d->count; i++) {
		const struct diff_row *r = &d->rows[i];
		char label[200], a[600], b[600];
		if (r->section != DIFF_FACT)
			continue;
		if (!any)
			fprintf(out, "\nSettings that differ, most costly first\n%*s%-*s %s\n", LABEL + 2, "", VALUE,
				"A", "B");
		any = true;
		esc(label, sizeof(label), r->label);
		esc(a, sizeof(a), r->a);
		esc(b, sizeof(b), r->b);
		if (strlen(label) < LABEL && strlen(a) < VALUE && strlen(b) <= VALUE) {
			fprintf(out, "  %-*s%-*s %s\n", LABEL, label, VALUE, a, b);
			continue;
		}
		/* too wide for the columns: one value a line */
		output_wrapped(out, label, 2, 2);
		char line[700];
		snprintf(line, sizeof(line), "A  %s", a);
		output_wrapped(out, line, 6, 3);
		snprintf(line, sizeof(line), "B  %s", b);
		output_wrapped(out, line, 6, 3);
	}
}

static void measurements(FILE *out, const struct diff *d)
{
	bool any = false;
	for (size_t i = 0; i < d->count; i++) {
		const struct diff_row *r = &d->rows[i];
		char label[128], ratio[32];
		if (r->section != DIFF_MEASUREMENT)
			continue;
		if (!any)
			fprintf(out, "\nMeasurements, where both have them%*s%11s %11s %8s\n", 5, "", "A", "B", "B/A");
		any = true;
		esc(label, sizeof(label), r->label);
		if (isfinite(r->ratio))
			snprintf(ratio, sizeof(ratio), "%.2f", r->ratio);
		else
			snprintf(ratio, sizeof(ratio), "-");
		fprintf(out, "  %-40.40s%11s %11s %8s%s\n", label, r->a, r->b, ratio,
			!r->matters ? "" : r->worse == 'b' ? " B worse" : " A worse");
	}
}

void output_diff_text(FILE *out, const struct diff_side *a, const struct diff_side *b,
		      const struct diff *d)
{
	size_t matters = 0;

	head(out, "A", a);
	head(out, "B", b);
	for (int i = 0; i < 2; i++)
		if (d->note[i][0])
			output_wrapped(out, d->note[i], 0, 2);
	findings(out, d);
	facts(out, d);
	measurements(out, d);
	for (size_t i = 0; i < d->count; i++)
		matters += d->rows[i].matters;
	if (matters)
		fprintf(out, "\n%zu difference%s that matter%s for latency.\n", matters, matters == 1 ? "" : "s",
			matters == 1 ? "s" : "");
	else
		fprintf(out, "\nNo difference that matters for latency.\n");
}
