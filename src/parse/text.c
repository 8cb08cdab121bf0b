#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int only_blanks_left(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return !*p;
}

int parse_long(const char *s, long *out)
{
	char *end;
	const char *p = skip_blanks(s);

	if (!*p || (!isdigit((unsigned char)*p) && *p != '-' && *p != '+'))
		return -EINVAL;
	errno = 0;
	long v = strtol(p, &end, 10);
	if (errno || end == p || !only_blanks_left(end))
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_ullong(const char *s, unsigned long long *out)
{
	char *end;
	const char *p = skip_blanks(s);

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno || end == p || !only_blanks_left(end))
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_double(const char *s, double *out)
{
	char *end;
	const char *p = skip_blanks(s);

	if (!isdigit((unsigned char)*p) && *p != '-' && *p != '.')
		return -EINVAL;
	errno = 0;
	double v = strtod(p, &end);
	if (errno || end == p || !isfinite(v) || !only_blanks_left(end))
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_duration_ns(const char *s, long long *ns)
{
	static const struct {
		const char *suffix;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 },
		      { "h", 3600e9 } };
	const double week_ns = 7 * 24 * 3600e9;
	char *end;
	const char *p = skip_blanks(s);

	if (!isdigit((unsigned char)*p) && *p != '.')
		return -EINVAL;
	errno = 0;
	double v = strtod(p, &end);
	if (errno || end == p || !isfinite(v) || v < 0)
		return -EINVAL;
	if (only_blanks_left(end)) {
		if (v != 0)
			return -EDOM;
		*ns = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].suffix);
		if (strncmp(end, units[i].suffix, n) || !only_blanks_left(end + n))
			continue;
		if (v * units[i].ns > week_ns)
			return -ERANGE;
		*ns = (long long)llround(v * units[i].ns);
		return 0;
	}
	return -EINVAL;
}

int parse_choice(const char *s, char *out, size_t outsz)
{
	const char *open = strchr(s, '['), *close;

	if (!open || !(close = strchr(open, ']')) || close == open + 1)
		return -EINVAL;
	if (strchr(open + 1, '[') && strchr(open + 1, '[') < close)
		return -EINVAL;
	size_t n = (size_t)(close - open - 1);
	if (n >= outsz || memchr(open + 1, ' ', n))
		return -EINVAL;
	memcpy(out, open + 1, n);
	out[n] = '\0';
	return 0;
}

int word_in_list(const char *list, const char *word)
{
	size_t wl = strlen(word);

	if (!wl)
		return 0;
	for (const char *p = list; (p = strstr(p, word)); p += wl) {
		int starts = p == list || isspace((unsigned char)p[-1]);
		int ends = !p[wl] || isspace((unsigned char)p[wl]);
		if (starts && ends)
			return 1;
	}
	return 0;
}

char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool str_copy(char *dst, size_t sz, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	bool cut = n >= sz;

	if (!sz)
		return n > 0;
	if (cut)
		n = sz - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
	return cut;
}

bool env_value(const char *buf, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	bool found = false;

	for (const char *line = buf; *line; line += strcspn(line, "\n"), line += *line == '\n') {
		if (strncmp(line, key, klen) || line[klen] != '=')
			continue;
		const char *v = line + klen + 1;
		size_t n = strcspn(v, "\n");
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		snprintf(out, outsz, "%.*s", (int)(n < outsz ? n : outsz - 1), v);
		found = true;
	}
	return found;
}
