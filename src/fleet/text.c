/* The fleet as text: findings by check (the worst and the widest first),
 * hosts with their findings, outliers, stale and failed reports. Every
 * string came from another machine: each is escaped (str_escape) before it
 * is printed. */
#include "render.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/escape.h"

#define WIDTH 80
#define NAME_MAX_COLS 28 /* names are padded to the longest, up to this */

/* S escaped, in a new string; NULL when out of memory. */
static char *escaped(const char *s)
{
	return str_escape_dup(s, false);
}

/* Columns S takes: escapes are ASCII, and a UTF-8 character counts one. */
static int columns(const char *s)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

/* Prints S escaped, padded to WIDTH columns; returns the columns taken. */
static int put(FILE *out, const char *s, int width)
{
	char *e = escaped(s);
	int cols = e ? columns(e) : 0;
	fputs(e ? e : "?", out);
	free(e);
	if (cols < width) {
		fprintf(out, "%*s", width - cols, "");
		cols = width;
	}
	return cols;
}

/* Words after COL, wrapped at WIDTH under INDENT: each after SEP ("," in
 * a list, ";" between lists, "" for the first) and a LABEL (" ", " warning
 * ") that starts a line without its blank. */
struct words {
	FILE *out;
	int col, indent;
	size_t n;
};

static void word(struct words *w, const char *sep, const char *label, const char *s)
{
	char *e = escaped(s);
	int cols = e ? columns(e) : 1;
	if (w->n)
		w->col += fprintf(w->out, "%s", sep);
	/* one column kept for the separator that may follow */
	if (w->col + (int)strlen(label) + cols > WIDTH - 1 && w->col > w->indent) {
		fprintf(w->out, "\n%*s", w->indent, "");
		w->col = w->indent;
		label += *label == ' ';
	}
	w->col += fprintf(w->out, "%s%s", label, e ? e : "?") - (e ? (int)strlen(e) - cols : 0);
	free(e);
	w->n++;
}

static int widest(const struct fleet *fl)
{
	int w = 0;
	for (size_t h = 0; h < fl->nhosts; h++) {
		char *e = escaped(fl->hosts[h].name);
		int c = e ? columns(e) : 0;
		free(e);
		if (c > w)
			w = c;
	}
	return w < NAME_MAX_COLS ? w : NAME_MAX_COLS;
}

static void by_check(FILE *out, const struct fleet *fl)
{
	int idw = 0;
	for (size_t i = 0; i < fl->ngroups; i++) {
		int c = columns(fl->groups[i].id);
		if (c > idw)
			idw = c < NAME_MAX_COLS ? c : NAME_MAX_COLS;
	}
	fprintf(out, "\nFindings, by check:\n");
	for (size_t i = 0; i < fl->ngroups; i++) {
		const struct fleet_group *g = &fl->groups[i];
		int col = fprintf(out, "  %-8s ", severity_name(g->worst));
		col += put(out, g->id, idw);
		col += fprintf(out, "  %zu host%s", g->count, g->count == 1 ? "" : "s");
		/* hosts where it is less severe, said when there are any */
		if (g->per[g->worst] != g->count) {
			const char *sep = " (";
			for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
				if (g->per[s]) {
					col += fprintf(out, "%s%zu %s", sep, g->per[s], severity_name(s));
					sep = ", ";
				}
			col += fprintf(out, ")");
		}
		col += fprintf(out, ":");
		struct words w = { out, col, 6, 0 };
		for (size_t k = 0; k < g->count; k++)
			word(&w, ",", " ", fl->hosts[g->hosts[k]].name);
		fputc('\n', out);
	}
}

static void hosts(FILE *out, const struct fleet *fl)
{
	int namew = widest(fl);
	fprintf(out, "\nHosts:\n");
	for (size_t h = 0; h < fl->nhosts; h++) {
		const struct fleet_host *host = &fl->hosts[h];
		int col = fprintf(out, "  ") + put(out, host->name, namew) + fprintf(out, " ");
		if (host->stale)
			col += fprintf(out, " (stale)");
		if (!host->nfindings) {
			fprintf(out, " no finding\n");
			continue;
		}
		struct words w = { out, col, 6, 0 };
		for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
			bool first = true;
			for (size_t i = 0; i < host->nfindings; i++) {
				const struct fleet_finding *x = &host->findings[i];
				bool again = false;
				if ((int)x->severity != s)
					continue;
				/* an id once, however many subjects */
				for (size_t k = 0; k < i && !again; k++)
					again = host->findings[k].severity == x->severity && !strcmp(host->findings[k].id, x->id);
				if (again)
					continue;
				char label[16];
				snprintf(label, sizeof(label), " %s ", severity_name(s));
				word(&w, first ? ";" : ",", first ? label : " ", x->id);
				first = false;
			}
		}
		fputc('\n', out);
	}
}

void output_fleet_text(FILE *out, const struct fleet *fl)
{
	fprintf(out, "%zu host%s", fl->nhosts, fl->nhosts == 1 ? "" : "s");
	if (fl->nstale)
		fprintf(out, ", %zu with a stale report", fl->nstale);
	if (fl->nfailed)
		fprintf(out, "; %zu report%s failed", fl->nfailed, fl->nfailed == 1 ? "" : "s");
	fputc('\n', out);
	if (fl->ngroups)
		by_check(out, fl);
	if (fl->nhosts)
		hosts(out, fl);
	if (fl->noutliers) {
		fprintf(out, "\nOutliers (against the fleet's median):\n");
		for (size_t i = 0; i < fl->noutliers; i++) {
			const struct fleet_outlier *o = &fl->outliers[i];
			const char *unit = fleet_measure_unit(o->measure);
			fprintf(out, "  %-25s ", fleet_measure_name(o->measure));
			put(out, fl->hosts[o->host].name, 0);
			fprintf(out, "  %.3g%s%s, %s the median %.3g%s%s\n", o->value, *unit ? " " : "", unit,
				o->high ? "above" : "below", o->median, *unit ? " " : "", unit);
		}
	}
	if (fl->nstale) {
		fprintf(out, "\nStale (older than %llds):\n", fl->stale_after_s);
		for (size_t h = 0; h < fl->nhosts; h++) {
			const struct fleet_host *host = &fl->hosts[h];
			struct tm tm;
			char when[32] = "?";
			if (!host->stale)
				continue;
			if (gmtime_r(&host->generated, &tm))
				strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
			fprintf(out, "  ");
			put(out, host->name, 0);
			fprintf(out, "  report of %s: ", when);
			put(out, host->path, 0);
			fputc('\n', out);
		}
	}
	if (fl->nfailed) {
		fprintf(out, "\nFailed:\n");
		for (size_t i = 0; i < fl->nfailed; i++) {
			fprintf(out, "  ");
			put(out, fl->failed[i].path, 0);
			fprintf(out, ": ");
			put(out, fl->failed[i].why, 0);
			fputc('\n', out);
		}
	}
	if (fl->nduplicates) {
		fprintf(out, "\nLeft out (an older report of the same host):\n");
		for (size_t i = 0; i < fl->nduplicates; i++) {
			fprintf(out, "  ");
			put(out, fl->duplicates[i].ignored, 0);
			fprintf(out, " (");
			put(out, fl->duplicates[i].name, 0);
			fprintf(out, ": using ");
			put(out, fl->duplicates[i].used, 0);
			fprintf(out, ")\n");
		}
	}
}
