#include "cmdline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copies one argument from *P into a new string without its quotes. */
static int next_arg(const char **p, char **arg)
{
	const char *s = *p;
	size_t n = 0;
	bool quoted = false;
	char *a = malloc(strlen(s) + 1);

	if (!a)
		return -ENOMEM;
	for (; *s && (quoted || !is_blank(*s)); s++) {
		if (*s == '"')
			quoted = !quoted;
		else
			a[n++] = *s;
	}
	if (quoted) {
		free(a);
		return -EINVAL;
	}
	a[n] = '\0';
	*p = s;
	*arg = a;
	return 0;
}

int cmdline_parse(const char *s, struct cmdline *out)
{
	size_t cap = 0;
	int err = 0;

	out->params = NULL;
	out->count = 0;
	for (;;) {
		char *arg;

		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		err = next_arg(&s, &arg);
		if (err)
			break;
		if (!strcmp(arg, "--")) {
			free(arg);
			break;
		}
		if (out->count == CMDLINE_MAX_PARAMS) {
			free(arg);
			err = -EINVAL;
			break;
		}
		if (out->count == cap) {
			cap = cap ? cap * 2 : 16;
			struct cmdline_param *np = realloc(out->params, cap * sizeof(*np));
			if (!np) {
				free(arg);
				err = -ENOMEM;
				break;
			}
			out->params = np;
		}
		char *eq = strchr(arg, '=');
		if (eq)
			*eq = '\0';
		out->params[out->count].name = arg;
		out->params[out->count].value = eq ? eq + 1 : NULL;
		out->count++;
	}
	if (err)
		cmdline_free(out);
	return err;
}

void cmdline_free(struct cmdline *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->params[i].name); /* value points into the same block */
	free(c->params);
	c->params = NULL;
	c->count = 0;
}

static bool same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return !*a && !*b;
}

const struct cmdline_param *cmdline_find(const struct cmdline *c, const char *name)
{
	for (size_t i = c->count; i-- > 0;)
		if (same_name(c->params[i].name, name))
			return &c->params[i];
	return NULL;
}
