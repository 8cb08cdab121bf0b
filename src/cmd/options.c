#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../output/output.h"
#include "../parse/text.h"

/* "1ms", "250us", "2s": the largest unit that says NS exactly. */
static void format_duration(double ns, char *buf, size_t bufsz)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "h", 3600e9 }, { "m", 60e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 } };
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns >= units[i].ns && fmod(ns, units[i].ns) == 0) {
			snprintf(buf, bufsz, "%.0f%s", ns / units[i].ns, units[i].unit);
			return;
		}
	snprintf(buf, bufsz, "%.0fns", ns);
}

/* "auto, always or never" from "auto always never" */
static void format_choices(const char *choices, char *buf, size_t bufsz)
{
	size_t words = 0, n = 0;
	for (const char *p = choices; *p;) {
		size_t len = strcspn(p, " ");
		words++;
		p += len;
		p += strspn(p, " ");
	}
	buf[0] = '\0';
	size_t i = 0;
	for (const char *p = choices; *p && n < bufsz; i++) {
		size_t len = strcspn(p, " ");
		const char *sep = i == 0 ? "" : i + 1 == words ? " or " : ", ";
		int w = snprintf(buf + n, bufsz - n, "%s%.*s", sep, (int)len, p);
		if (w < 0)
			break;
		n += (size_t)w;
		p += len;
		p += strspn(p, " ");
	}
}

static bool is_choice(const char *choices, const char *word)
{
	return *word && !strchr(word, ' ') && word_in_list(choices, word);
}

void opts_format_name(const struct opt *o, char *buf, size_t bufsz)
{
	if (o->type == OPT_FLAG)
		snprintf(buf, bufsz, "--%s", o->name);
	else
		snprintf(buf, bufsz, "--%s %s", o->name, o->arg ? o->arg : "VALUE");
}

/* Checks VALUE against O's type and bounds into V; -1 after saying why. */
static int take_value(const char *cmd, const struct opt *o, const char *value, struct opt_value *v)
{
	char lo[32], hi[32], list[160];
	long long ns;
	long n;
	double d;
	int err;

	v->set = true;
	v->str = value;
	switch (o->type) {
	case OPT_FLAG:
		return 0;
	case OPT_STRING:
		if (!*value) {
			fprintf(stderr, "latdoc %s: --%s needs a value (%s), not ''\n", cmd, o->name, o->arg);
			return -1;
		}
		if (o->repeat) {
			if (v->nlist == OPT_REPEAT_MAX) {
				fprintf(stderr, "latdoc %s: --%s may be given at most %d times\n", cmd, o->name,
					OPT_REPEAT_MAX);
				return -1;
			}
			v->list[v->nlist++] = value;
		}
		return 0;
	case OPT_CHOICE:
		if (is_choice(o->choices, value))
			return 0;
		format_choices(o->choices, list, sizeof(list));
		fprintf(stderr, "latdoc %s: --%s takes %s, not '%s'\n", cmd, o->name, list, value);
		return -1;
	case OPT_INT:
		if (!parse_long(value, &n) && ((n >= o->min && n <= o->max) || (n == 0 && o->zero_ok))) {
			v->num = n;
			return 0;
		}
		fprintf(stderr, "latdoc %s: --%s takes a whole number from %.0f to %.0f, not '%s'\n", cmd,
			o->name, o->min, o->max, value);
		return -1;
	case OPT_NUMBER:
		if (!parse_double(value, &d) && d >= o->min && d <= o->max) {
			v->real = d;
			return 0;
		}
		fprintf(stderr, "latdoc %s: --%s takes a number from %g to %g, not '%s'\n", cmd, o->name,
			o->min, o->max, value);
		return -1;
	case OPT_DURATION:
		format_duration(o->min, lo, sizeof(lo));
		format_duration(o->max, hi, sizeof(hi));
		err = parse_duration_ns(value, &ns);
		if (err == -EDOM || err == -EINVAL) {
			fprintf(stderr, "latdoc %s: --%s takes a time with its unit, ns, us, ms, s, m or h "
					"(like %s), not '%s'\n", cmd, o->name, hi, value);
			return -1;
		}
		if (err || ((ns < o->min || ns > o->max) && !(ns == 0 && o->zero_ok))) {
			fprintf(stderr, "latdoc %s: --%s takes %s%s to %s, not '%s'\n", cmd, o->name,
				o->zero_ok ? "0 or " : "", lo, hi, value);
			return -1;
		}
		v->num = ns;
		return 0;
	}
	return -1;
}

static int unknown(const char *cmd, const char *arg)
{
	fprintf(stderr, "latdoc %s: unknown option '%s'\n'latdoc help %s' lists the options\n", cmd, arg,
		cmd);
	return -1;
}

static int missing(const char *cmd, const struct opt *o)
{
	fprintf(stderr, "latdoc %s: --%s needs a value (%s)\n", cmd, o->name, o->arg ? o->arg : "VALUE");
	return -1;
}

static const struct opt *find_long(const struct opt_table *t, const char *name, size_t len, size_t *idx)
{
	for (size_t i = 0; i < t->count; i++)
		if (strlen(t->opts[i].name) == len && !strncmp(t->opts[i].name, name, len)) {
			*idx = i;
			return &t->opts[i];
		}
	return NULL;
}

static const struct opt *find_short(const struct opt_table *t, char c, size_t *idx)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->opts[i].short_name && t->opts[i].short_name == c) {
			*idx = i;
			return &t->opts[i];
		}
	return NULL;
}

int opts_parse(const char *cmd, const struct opt_table *table, int argc, char **argv,
	       struct opt_result *out)
{
	bool options_end = false;

	memset(out, 0, sizeof(*out));
	if (table->count > OPT_MAX) {
		fprintf(stderr, "latdoc %s: more options than the parser holds\n", cmd);
		return -1;
	}
	/* the operands are moved to the front of ARGV's tail, in order */
	out->args = argv + 1;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct opt *o;
		size_t idx;

		if (options_end || a[0] != '-' || !a[1]) {
			out->args[out->nargs++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			options_end = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			out->help = true;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			if (!(o = find_long(table, name, len, &idx)))
				return unknown(cmd, a);
			if (o->type == OPT_FLAG) {
				if (eq) {
					fprintf(stderr, "latdoc %s: --%s takes no value\n", cmd, o->name);
					return -1;
				}
				out->v[idx].set = true;
				continue;
			}
			const char *value = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!value)
				return missing(cmd, o);
			if (take_value(cmd, o, value, &out->v[idx]))
				return -1;
			continue;
		}
		/* short options, clustered: -qj, -oDIR, -o DIR */
		for (const char *p = a + 1; *p; p++) {
			char one[3] = { '-', *p, '\0' };
			if (!(o = find_short(table, *p, &idx)))
				return unknown(cmd, one);
			if (o->type == OPT_FLAG) {
				out->v[idx].set = true;
				continue;
			}
			const char *value = p[1] ? p + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!value)
				return missing(cmd, o);
			if (take_value(cmd, o, value, &out->v[idx]))
				return -1;
			break;
		}
	}
	return 0;
}

void opts_print_help(FILE *out, const struct opt_table *table)
{
	enum { INDENT = 23 };
	char name[64], left[80];

	for (size_t i = 0; i < table->count; i++) {
		const struct opt *o = &table->opts[i];
		opts_format_name(o, name, sizeof(name));
		if (o->short_name)
			snprintf(left, sizeof(left), "  -%c, %s", o->short_name, name);
		else
			snprintf(left, sizeof(left), "  %s", name);
		int col = fprintf(out, "%s", left);
		if (col >= INDENT - 1) {
			fprintf(out, "\n%*s", INDENT, "");
			col = INDENT;
		} else {
			col += fprintf(out, "%*s", INDENT - col, "");
		}
		output_wrapped_from(out, o->help, col, INDENT, 0);
	}
	fprintf(out, "  -h, --help           show this help\n");
}
