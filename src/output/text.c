/* The report for a terminal: ranked findings, evidence and fix under each,
 * a summary line at the end. Colour only on a tty, never with NO_COLOR.
 * Lines fit 80 columns. */
#include "output.h"

#include <string.h>

#include "../lib/escape.h"

#define WIDTH 80
#define BODY 10 /* the indent of a finding's body */

static const char *sev_color(enum severity s)
{
	return s == SEV_CRITICAL ? "\033[1;31m" : s == SEV_WARNING ? "\033[1;33m" : "\033[1;36m";
}

void output_wrapped_from(FILE *out, const char *text, int col, int indent, int hang)
{
	int margin = indent;

	for (const char *p = text; *p;) {
		size_t word = strcspn(p, " \n");
		if (col > margin && col + 1 + (int)word > WIDTH) {
			fputc('\n', out);
			col = 0;
			margin = indent + hang;
		}
		if (!col)
			col = fprintf(out, "%*s", margin, "");
		else if (col > margin && (word || *p == ' '))
			col += fprintf(out, " ");
		col += fprintf(out, "%.*s", (int)word, p);
		p += word;
		if (*p == '\n') {
			fputc('\n', out);
			col = 0;
			margin = indent;
			p++;
			continue;
		}
		while (*p == ' ')
			p++;
	}
	if (col)
		fputc('\n', out);
}

void output_wrapped(FILE *out, const char *text, int indent, int hang)
{
	output_wrapped_from(out, text, 0, indent, hang);
}

static void print_group(const struct fix_action *a, const char *target, size_t n, void *arg)
{
	FILE *out = arg;
	char line[1024], counted[1100];

	fix_action_describe(a, target, line, sizeof(line));
	snprintf(counted, sizeof(counted), "%s%s%s%s", a->variant ? "[" : "",
		 a->variant ? a->variant : "", a->variant ? "] " : "", line);
	if (n > 1) {
		size_t len = strlen(counted);
		snprintf(counted + len, sizeof(counted) - len, " (%zu files)", n);
	}
	/* targets and values come from the machine: a VM's name, a governor */
	char safe[2200];
	str_escape(safe, sizeof(safe), counted, false);
	output_wrapped(out, safe, BODY, 4);
}

static bool has_actions(const struct finding *x, enum fix_when when)
{
	for (size_t i = 0; i < x->nactions; i++)
		if (x->actions[i].when == when)
			return true;
	return false;
}

static void print_fix(FILE *out, const struct finding *x, enum fix_when when, const char *advice)
{
	bool actions = has_actions(x, when);
	if (!actions && !advice)
		return;
	fprintf(out, "  %s:\n", when == FIX_RUNTIME ? "fix now" : "fix for good");
	if (actions)
		fix_action_groups(x, when, print_group, out);
	if (advice) {
		if (actions)
			fprintf(out, "  %s\n", "or:");
		output_wrapped(out, advice, BODY, 4);
	}
}

static void print_finding(FILE *out, const struct finding *x, bool color)
{
	const char *on = color ? sev_color(x->severity) : "", *off = color ? "\033[0m" : "";
	char sev[16], line[2048];

	snprintf(sev, sizeof(sev), "%s", severity_name(x->severity));
	for (char *c = sev; *c; c++)
		*c = (char)(*c - 32 * (*c >= 'a' && *c <= 'z'));
	fprintf(out, "%s%-8s%s  ", on, sev, off);
	snprintf(line, sizeof(line), "%s  [%s]", x->title, x->id);
	output_wrapped_from(out, line, BODY, BODY, 0);
	snprintf(line, sizeof(line), "on %s", x->subject);
	output_wrapped(out, line, BODY, 3);
	for (size_t i = 0; i < x->nevidence; i++) {
		snprintf(line, sizeof(line), "%s: %s", x->evidence[i].source, x->evidence[i].value);
		output_wrapped(out, line, BODY, 4);
	}
	if (x->why) {
		fprintf(out, "  why:\n");
		output_wrapped(out, x->why, BODY, 0);
	}
	print_fix(out, x, FIX_RUNTIME, x->fix_runtime);
	print_fix(out, x, FIX_PERSISTENT, x->fix_persistent);
	fputc('\n', out);
}

void output_text(FILE *out, const struct report *r, bool color)
{
	const struct facts *f = &r->facts;
	const struct findings *fs = &r->findings;
	char platform[400], line[4096];
	int counts[3] = { 0 };

	char host[200], kernel[400], root[1024], model[400], cpufreq[100], cpuidle[100];
	platform_describe(f, platform, sizeof(platform));
	str_escape(host, sizeof(host), f->hostname[0] ? f->hostname : "(no hostname)", false);
	str_escape(kernel, sizeof(kernel), f->kernel[0] ? f->kernel : "unknown", false);
	str_escape(root, sizeof(root), r->root_dir, false);
	str_escape(model, sizeof(model), f->model_name, false);
	str_escape(cpufreq, sizeof(cpufreq), f->cpufreq.count ? f->cpufreq.policies[0].driver : "", false);
	str_escape(cpuidle, sizeof(cpuidle), f->cpuidle.driver, false);
	snprintf(line, sizeof(line), "latdoc check: %s%s%s, Linux %s, %s", host, f->live ? "" : " from ",
		 f->live ? "" : root, kernel, platform);
	output_wrapped(out, line, 0, 4);
	int n = snprintf(line, sizeof(line), "%zu CPUs", f->ncpus);
	if (*model)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", %s", model);
	if (*cpufreq)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", cpufreq %s", cpufreq);
	if (*cpuidle)
		snprintf(line + n, sizeof(line) - (size_t)n, ", cpuidle %s", cpuidle);
	output_wrapped(out, line, 0, 4);
	fputc('\n', out);
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

	for (size_t i = 0; i < fs->count; i++) {
		print_finding(out, &fs->items[i], color);
		counts[fs->items[i].severity]++;
	}
	if (f->nproblems) {
		fprintf(out, "Files that could not be used (the audit went on without them):\n");
		for (size_t i = 0; i < f->nproblems; i++)
			output_wrapped(out, f->problems[i], 2, 4);
		fputc('\n', out);
	}
	if (!fs->count)
		fprintf(out, "No finding: nothing here is known to cost latency.\n");
	else
		fprintf(out, "%d critical, %d warning, %d info%s%s\n", counts[SEV_CRITICAL],
			counts[SEV_WARNING], counts[SEV_INFO],
			r->fails ? "" : "; none reaches --fail-on ", r->fails ? "" : severity_name(r->fail_on));
}
