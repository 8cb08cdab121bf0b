/* The report for a terminal: ranked findings, evidence and fix under each,
 * a summary line at the end. Colour only on a tty, never with NO_COLOR. */
#include "output.h"

#include <string.h>

#define WIDTH 78

static const char *sev_color(enum severity s)
{
	return s == SEV_CRITICAL ? "\033[1;31m" : s == SEV_WARNING ? "\033[1;33m" : "\033[1;36m";
}

/* Prints TEXT word-wrapped to WIDTH, each line indented by INDENT. */
static void wrap(FILE *out, const char *text, int indent)
{
	int col = 0;
	const char *p = text;

	while (*p) {
		size_t word = strcspn(p, " \n");
		if (col && col + 1 + (int)word > WIDTH) {
			fputc('\n', out);
			col = 0;
		}
		if (!col)
			col = fprintf(out, "%*s", indent, "");
		else
			col += fprintf(out, " ");
		col += fprintf(out, "%.*s", (int)word, p);
		p += word;
		if (*p == '\n') {
			fputc('\n', out);
			col = 0;
		}
		while (*p == ' ' || *p == '\n')
			p++;
	}
	if (col)
		fputc('\n', out);
}

/* Commands are printed line by line, never wrapped: they are copied. */
static void lines(FILE *out, const char *text, int indent)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(out, "%*s%.*s\n", indent, "", (int)n, p);
		p += n;
		if (*p)
			p++;
	}
}

static void print_finding(FILE *out, const struct finding *x, bool color)
{
	const char *on = color ? sev_color(x->severity) : "", *off = color ? "\033[0m" : "";
	char sev[16];

	snprintf(sev, sizeof(sev), "%s", severity_name(x->severity));
	for (char *c = sev; *c; c++)
		*c = (char)(*c - 32 * (*c >= 'a' && *c <= 'z'));
	fprintf(out, "%s%-8s%s  %s  [%s]\n", on, sev, off, x->title, x->id);
	fprintf(out, "          on %s\n", x->subject);
	for (size_t i = 0; i < x->nevidence; i++)
		fprintf(out, "          %s: %s\n", x->evidence[i].source, x->evidence[i].value);
	if (x->why) {
		fprintf(out, "  why:\n");
		wrap(out, x->why, 10);
	}
	if (x->fix_runtime) {
		fprintf(out, "  fix now:\n");
		lines(out, x->fix_runtime, 10);
	}
	if (x->fix_persistent) {
		fprintf(out, "  fix for good:\n");
		lines(out, x->fix_persistent, 10);
	}
	fputc('\n', out);
}

void output_text(FILE *out, const struct report *r, bool color)
{
	const struct facts *f = r->facts;
	char platform[160];
	int counts[3] = { 0 };

	platform_describe(f, platform, sizeof(platform));
	fprintf(out, "latdoc check: %s%s%s, Linux %s, %s\n", f->hostname[0] ? f->hostname : "(no hostname)",
		f->live ? "" : " from ", f->live ? "" : r->root, f->kernel[0] ? f->kernel : "unknown",
		platform);
	fprintf(out, "%zu CPUs", f->ncpus);
	if (f->model_name[0])
		fprintf(out, ", %s", f->model_name);
	if (f->cpufreq.count)
		fprintf(out, ", cpufreq %s", f->cpufreq.policies[0].driver);
	if (f->cpuidle.driver[0])
		fprintf(out, ", cpuidle %s", f->cpuidle.driver);
	fprintf(out, "\n\n");
	output_guest_text(out, f);
	output_vms_text(out, f);
	if (r->freq) {
		output_freq_text(out, r->freq);
		fputc('\n', out);
	}
	if (r->wake) {
		output_wake_text(out, r->wake);
		fputc('\n', out);
	}

	for (size_t i = 0; i < r->findings->count; i++) {
		print_finding(out, &r->findings->items[i], color);
		counts[r->findings->items[i].severity]++;
	}
	if (f->nproblems) {
		fprintf(out, "Files that could not be used (the audit went on without them):\n");
		for (size_t i = 0; i < f->nproblems; i++)
			fprintf(out, "  %s\n", f->problems[i]);
		fputc('\n', out);
	}
	if (!r->findings->count)
		fprintf(out, "No finding: nothing here is known to cost latency.\n");
	else
		fprintf(out, "%d critical, %d warning, %d info%s\n", counts[SEV_CRITICAL],
			counts[SEV_WARNING], counts[SEV_INFO],
			findings_worst(r->findings) >= (int)r->fail_on ? "" : " (none at --fail-on)");
}
