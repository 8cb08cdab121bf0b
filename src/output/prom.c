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

#include "../lib/array.h"
#include "../lib/escape.h"

struct prom_family *prom_family(struct prom_set *s, enum prom_type type, const char *name,
				const char *unit, const char *help)
{
	for (size_t i = 0; i < s->count; i++)
		if (!strcmp(s->families[i]->name, name))
			return s->families[i];
	struct prom_family *f = calloc(1, sizeof(*f));
	struct prom_family **a = f ? array_grow(s->families, &s->count, sizeof(*a)) : NULL;
	if (!a) {
		free(f);
		s->out_of_memory = true;
		return NULL;
	}
	*f = (struct prom_family){ .name = name, .unit = unit, .help = help, .type = type };
	s->families = a;
	s->families[s->count - 1] = f;
	return f;
}

/* A label value as both formats take it: \\, \" and \n escaped. V is
 * valid UTF-8 (utf8_repair). Returns the bytes it would write (the caller
 * sizes with OUT NULL). */
static size_t escape(const char *v, char *out)
{
	size_t len = 0;
	for (const char *p = v; *p; p++) {
		const char *put = p;
		size_t k = 1;
		if (*p == '\\' || *p == '"') {
			if (out)
				out[len] = '\\';
			len++;
		} else if (*p == '\n') {
			put = "\\n";
			k = 2;
		}
		if (out)
			memcpy(out + len, put, k);
		len += k;
	}
	return len;
}

void prom_add(struct prom_set *s, struct prom_family *f, double value, ...)
{
	enum { MAX_LABELS = 8 };
	const char *names[MAX_LABELS];
	char *values[MAX_LABELS];
	size_t n = 0, len = 0;
	va_list ap;

	if (!f)
		return;
	/* the values made valid UTF-8 first: a byte that is not becomes U+FFFD */
	va_start(ap, value);
	for (const char *name; (name = va_arg(ap, const char *));) {
		const char *v = va_arg(ap, const char *);
		size_t vlen;
		if (!v || !*v || n == MAX_LABELS)
			continue;
		if (!(values[n] = utf8_repair(v, strlen(v), &vlen))) {
			s->out_of_memory = true;
			continue;
		}
		names[n] = name;
		len += strlen(name) + 4 + escape(values[n], NULL); /* name="v", */
		n++;
	}
	va_end(ap);
	char *labels = s->out_of_memory ? NULL : malloc(len + 3);
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		if (labels) {
			labels[at++] = i ? ',' : '{';
			size_t nl = strlen(names[i]);
			memcpy(labels + at, names[i], nl);
			at += nl;
			labels[at++] = '=';
			labels[at++] = '"';
			at += escape(values[i], labels + at);
			labels[at++] = '"';
		}
		free(values[i]);
	}
	if (!labels) {
		s->out_of_memory = true;
		return;
	}
	if (at)
		labels[at++] = '}';
	labels[at] = '\0';

	struct prom_sample *a = array_grow(f->samples, &f->count, sizeof(*a));
	if (!a) {
		free(labels);
		s->out_of_memory = true;
		return;
	}
	f->samples = a;
	f->samples[f->count - 1] = (struct prom_sample){ labels, value };
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
