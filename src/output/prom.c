/* The two text formats differ in little: OpenMetrics names a counter's
 * family without "_total" and an info family without "_info", has UNIT
 * lines, and ends with "# EOF". Everything else is written once. */
#include "prom.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/utf8.h"

struct prom_family *prom_family(struct prom_set *s, enum prom_type type, const char *name,
				const char *unit, const char *help)
{
	for (size_t i = 0; i < s->count; i++)
		if (!strcmp(s->families[i]->name, name))
			return s->families[i];
	if (s->count == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 32;
		struct prom_family **a = realloc(s->families, cap * sizeof(*a));
		if (!a) {
			s->out_of_memory = true;
			return NULL;
		}
		s->families = a;
		s->cap = cap;
	}
	struct prom_family *f = calloc(1, sizeof(*f));
	if (!f) {
		s->out_of_memory = true;
		return NULL;
	}
	*f = (struct prom_family){ .name = name, .unit = unit, .help = help, .type = type };
	s->families[s->count++] = f;
	return f;
}

/* A label value as both formats take it: \\, \" and \n escaped, valid
 * UTF-8. Returns the bytes it would write (the caller sizes with OUT NULL). */
static size_t escape(const char *v, char *out)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v), len = 0;

	for (size_t i = 0; i < n;) {
		size_t c = utf8_char(p + i, n - i);
		const char *put = (const char *)p + i;
		size_t k = c;
		if (!c) {
			put = replacement;
			k = 3;
			c = 1;
		} else if (p[i] == '\\' || p[i] == '"') {
			if (out)
				out[len] = '\\';
			len++;
		} else if (p[i] == '\n') {
			put = "\\n";
			k = 2;
		}
		if (out)
			memcpy(out + len, put, k);
		len += k;
		i += c;
	}
	return len;
}

void prom_add(struct prom_set *s, struct prom_family *f, double value, ...)
{
	va_list ap;
	size_t len = 0;

	if (!f)
		return;
	va_start(ap, value);
	for (const char *name; (name = va_arg(ap, const char *));) {
		const char *v = va_arg(ap, const char *);
		if (v && *v)
			len += strlen(name) + 4 + escape(v, NULL); /* name="v", */
	}
	va_end(ap);
	char *labels = malloc(len + 3);
	if (!labels) {
		s->out_of_memory = true;
		return;
	}
	size_t at = 0;
	va_start(ap, value);
	for (const char *name; (name = va_arg(ap, const char *));) {
		const char *v = va_arg(ap, const char *);
		if (!v || !*v)
			continue;
		char sep = at ? ',' : '{';
		labels[at++] = sep;
		size_t nl = strlen(name);
		memcpy(labels + at, name, nl);
		at += nl;
		labels[at++] = '=';
		labels[at++] = '"';
		at += escape(v, labels + at);
		labels[at++] = '"';
	}
	va_end(ap);
	if (at)
		labels[at++] = '}';
	labels[at] = '\0';

	if (f->count == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 4;
		struct prom_sample *a = realloc(f->samples, cap * sizeof(*a));
		if (!a) {
			free(labels);
			s->out_of_memory = true;
			return;
		}
		f->samples = a;
		f->cap = cap;
	}
	f->samples[f->count++] = (struct prom_sample){ labels, value };
}

/* The shortest decimal that reads back as V: scrapes stay small and
 * 0.1 stays 0.1. */
static int write_value(FILE *out, double v)
{
	if (isnan(v))
		return fputs("NaN", out);
	if (isinf(v))
		return fputs(v > 0 ? "+Inf" : "-Inf", out);
	if (v == (double)(int64_t)v && fabs(v) < 1e15)
		return fprintf(out, "%lld", (long long)v);
	char buf[32];
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return fputs(buf, out);
}

static int by_labels(const void *a, const void *b)
{
	return strcmp(((const struct prom_sample *)a)->labels, ((const struct prom_sample *)b)->labels);
}

static const char *type_name(enum prom_type t, enum prom_format fmt)
{
	return t == PROM_COUNTER ? "counter" : t == PROM_INFO && fmt == PROM_OPENMETRICS ? "info" : "gauge";
}

int prom_write(FILE *out, struct prom_set *s, enum prom_format fmt)
{
	for (size_t i = 0; i < s->count; i++) {
		struct prom_family *f = s->families[i];
		const char *suffix = f->type == PROM_COUNTER ? "_total" : f->type == PROM_INFO ? "_info" : "";
		/* the family's name: OpenMetrics without the suffix its samples carry */
		const char *fsuffix = fmt == PROM_OPENMETRICS ? "" : suffix;

		if (!f->count)
			continue;
		qsort(f->samples, f->count, sizeof(f->samples[0]), by_labels);
		fprintf(out, "# HELP %s%s %s\n", f->name, fsuffix, f->help);
		fprintf(out, "# TYPE %s%s %s\n", f->name, fsuffix, type_name(f->type, fmt));
		if (fmt == PROM_OPENMETRICS && f->unit)
			fprintf(out, "# UNIT %s %s\n", f->name, f->unit);
		for (size_t k = 0; k < f->count; k++) {
			if (k && !strcmp(f->samples[k].labels, f->samples[k - 1].labels))
				continue;
			fprintf(out, "%s%s%s ", f->name, suffix, f->samples[k].labels);
			write_value(out, f->samples[k].value);
			fputc('\n', out);
		}
	}
	return ferror(out) ? -1 : 0;
}

int prom_write_end(FILE *out, enum prom_format fmt)
{
	if (fmt == PROM_OPENMETRICS)
		fputs("# EOF\n", out);
	return ferror(out) ? -1 : 0;
}

/* The q of one media range's parameters ("; version=1.0.0; q=0.5"): 1
 * when not given, 0 when malformed. */
static double quality(const char *params, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (params[i] != ';')
			continue;
		size_t j = i + 1;
		while (j < len && (params[j] == ' ' || params[j] == '\t'))
			j++;
		if (j + 2 <= len && (params[j] == 'q' || params[j] == 'Q') && params[j + 1] == '=') {
			char num[8] = "";
			size_t k = 0;
			for (j += 2; j < len && k < sizeof(num) - 1 && (isdigit((unsigned char)params[j]) ||
								     params[j] == '.'); j++)
				num[k++] = params[j];
			char *end;
			double q = strtod(num, &end);
			return end != num && q >= 0 && q <= 1 ? q : 0;
		}
	}
	return 1;
}

enum prom_format prom_negotiate(const char *accept)
{
	double om = 0, text = 0, any = 0;

	if (!accept)
		return PROM_TEXT;
	for (const char *p = accept; *p;) {
		size_t len = strcspn(p, ",");
		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		size_t type = strcspn(p, ";, \t");
		if (type > len)
			type = len;
		double q = quality(p + type, len - type);
#define IS(s) (type == sizeof(s) - 1 && !strncasecmp(p, s, type))
		if (IS("application/openmetrics-text"))
			om = q > om ? q : om;
		else if (IS("text/plain"))
			text = q > text ? q : text;
		else if (IS("*/*") || IS("text/*"))
			any = q > any ? q : any;
#undef IS
		p += len;
		if (*p == ',')
			p++;
	}
	if (!text)
		text = any;
	return om > 0 && om >= text ? PROM_OPENMETRICS : PROM_TEXT;
}

void prom_set_free(struct prom_set *s)
{
	for (size_t i = 0; i < s->count; i++) {
		for (size_t k = 0; k < s->families[i]->count; k++)
			free(s->families[i]->samples[k].labels);
		free(s->families[i]->samples);
		free(s->families[i]);
	}
	free(s->families);
	memset(s, 0, sizeof(*s));
}
