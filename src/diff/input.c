/* One side of a diff or report, as the document check --json writes: a
 * root is audited here, a saved report read. A saved report is hostile
 * input like a dump: its size and nesting are bounded, its schema checked,
 * and every string in it escaped where it is shown. */
#include "diff.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../audit/audit.h"
#include "../lib/escape.h"
#include "../output/json_util.h"
#include "../output/output.h"
#include "version.h"

#define REPORT_MAX (64u << 20)
#define REPORT_DEPTH 64

void diff_side_free(struct diff_side *s)
{
	if (s->doc)
		json_object_put(s->doc);
	free(s->input);
	memset(s, 0, sizeof(*s));
}

static void holds(struct diff_side *s)
{
	json_object *m = json_at(s->doc, "measurements");
	s->facts = json_object_is_type(json_at(s->doc, "facts"), json_type_object);
	s->findings = json_object_is_type(json_at(s->doc, "findings"), json_type_array);
	s->measurements = (m && (json_at(m, "freq") || json_at(m, "wake"))) ||
			  json_at(s->doc, "rtt") || json_at(s->doc, "ttfb");
}

static int audit(const char *root, bool measure, struct diff_side *out, char *err, size_t errsz)
{
	struct audit_options ao = { .root = root, .measure = measure, .fail_on = SEV_WARNING };
	struct report rep;

	if (audit_run(&ao, &rep, err, errsz))
		return -1;
	out->doc = json_report(&rep);
	report_free(&rep);
	if (!out->doc) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

/* The whole file, at most REPORT_MAX bytes. */
static int slurp(int fd, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap + 1);

	if (!b)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > REPORT_MAX) {
				free(b);
				return -EFBIG;
			}
			char *nb = realloc(b, cap * 2 + 1);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = -errno;
			free(b);
			return e;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	if (n > REPORT_MAX) {
		free(b);
		return -EFBIG;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int parse_report(const char *name, const char *text, size_t len, struct diff_side *out,
			char *err, size_t errsz)
{
	json_tokener *tok = json_tokener_new_ex(REPORT_DEPTH);
	if (!tok) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	json_object *doc = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t at = tok->char_offset;
	json_tokener_free(tok);
	if (!doc || jerr != json_tokener_success) {
		if (doc)
			json_object_put(doc);
		if (jerr == json_tokener_success || jerr == json_tokener_continue)
			snprintf(err, errsz, "'%s' is not JSON latdoc can read: it ends too soon (cut short?)",
				 name);
		else
			snprintf(err, errsz, "'%s' is not JSON latdoc can read: %s at byte %zu", name,
				 json_tokener_error_desc(jerr), at);
		return -1;
	}
	json_object *schema = json_at(doc, "schema");
	if (!json_object_is_type(doc, json_type_object) || !json_object_is_type(schema, json_type_int)) {
		json_object_put(doc);
		snprintf(err, errsz, "'%s' is JSON but not a latdoc report (it has no \"schema\")", name);
		return -1;
	}
	if (json_object_get_int64(schema) != JSON_SCHEMA) {
		char by[64] = "";
		json_object *v = json_at(doc, "version");
		if (json_object_is_type(v, json_type_string))
			str_escape(by, sizeof(by), json_object_get_string(v), false);
		snprintf(err, errsz, "'%s' was written by latdoc %s with JSON schema %lld; this latdoc (%s) "
				     "reads schema %d: make the report again with this latdoc, or compare "
				     "with the latdoc that wrote it",
			 name, by[0] ? by : "(unknown)", (long long)json_object_get_int64(schema),
			 LATDOC_VERSION, JSON_SCHEMA);
		json_object_put(doc);
		return -1;
	}
	out->doc = doc;
	return 0;
}

int diff_side_load(const char *arg, bool measure, struct diff_side *out, char *err, size_t errsz)
{
	struct stat st;
	char name[200];

	memset(out, 0, sizeof(*out));
	str_escape(name, sizeof(name), arg, false);
	if (!(out->input = strdup(arg))) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (!strcmp(arg, "live")) {
		out->kind = "live";
		if (audit("/", measure, out, err, errsz))
			goto fail;
		holds(out);
		return 0;
	}
	if (stat(arg, &st) < 0) {
		snprintf(err, errsz, "cannot read '%s': %s (give a snapshot, a dump, a saved report or "
				     "live)", name, strerror(errno));
		goto fail;
	}
	/* a regular file that starts with '{' is a report; anything else
	 * (a directory, an archive, a pipe) a root */
	int fd = S_ISREG(st.st_mode) ? open(arg, O_RDONLY | O_NOCTTY | O_CLOEXEC) : -1;
	char first = 0;
	if (fd >= 0) {
		char head[64];
		ssize_t got = read(fd, head, sizeof(head));
		for (ssize_t i = 0; i < got && !first; i++)
			if (head[i] != ' ' && head[i] != '\n' && head[i] != '\t' && head[i] != '\r')
				first = head[i];
	}
	if (first == '{') {
		char *text = NULL;
		size_t len = 0;
		int e = lseek(fd, 0, SEEK_SET) < 0 ? -errno : slurp(fd, &text, &len);
		close(fd);
		if (e) {
			snprintf(err, errsz, "reading '%s': %s", name,
				 e == -EFBIG ? "larger than 64 MiB, more than a report" : strerror(-e));
			goto fail;
		}
		e = parse_report(name, text, len, out, err, errsz);
		free(text);
		if (e)
			goto fail;
		out->kind = "report";
		holds(out);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	out->kind = S_ISDIR(st.st_mode) ? "root" : "archive";
	if (audit(arg, false, out, err, errsz))
		goto fail;
	holds(out);
	return 0;
fail:
	diff_side_free(out);
	return -1;
}

struct load_job {
	const char *arg;
	bool measure;
	struct diff_side *out;
	char err[512];
	int rc;
};

static void *load_one(void *p)
{
	struct load_job *j = p;
	j->rc = diff_side_load(j->arg, j->measure, j->out, j->err, sizeof(j->err));
	return NULL;
}

int diff_sides_load(const char *const *args, size_t n, bool measure, struct diff_side *out, char *err,
		    size_t errsz)
{
	struct load_job jobs[2] = { { .arg = args[0], .measure = measure, .out = &out[0] },
				    { .arg = n > 1 ? args[1] : NULL, .measure = measure, .out = &out[1] } };
	pthread_t t;
	/* two audits on two CPUs; not while measuring, which wants the
	 * machine quiet */
	bool apart = n > 1 && !measure && !pthread_create(&t, NULL, load_one, &jobs[1]);

	load_one(&jobs[0]);
	if (apart)
		pthread_join(t, NULL);
	else if (n > 1)
		load_one(&jobs[1]);
	for (size_t i = 0; i < n; i++)
		if (jobs[i].rc) {
			snprintf(err, errsz, "%s%s", n > 1 ? (i ? "B: " : "A: ") : "", jobs[i].err);
			for (size_t k = 0; k < n; k++)
				if (!jobs[k].rc)
					diff_side_free(&out[k]);
			return -1;
		}
	return 0;
}
