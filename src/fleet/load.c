/* Reading the reports: directories walked without following links, each
 * file read within FLEET_MAX_REPORT, counted before json-c parses it, and
 * taken only when its fields are what `check --json` writes
 * (docs/JSON.md). */
#include "fleet.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/array.h"
#include "../lib/doubles.h"
#include "../lib/escape.h"
#include "../output/json_util.h"
#include "../output/output.h"

struct walk {
	struct fleet *fl;
	size_t files;
	bool oom;
};

/* A copy that is valid UTF-8, whatever the file system or a remote error
 * message held: it goes into JSON as well as onto a terminal. */
static char *dup_or_oom(struct walk *w, const char *s)
{
	size_t len;
	char *d = utf8_repair(s ? s : "", s ? strlen(s) : 0, &len);
	if (!d)
		w->oom = true;
	return d;
}

static void failure(struct walk *w, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void failure(struct walk *w, const char *path, const char *fmt, ...)
{
	char why[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	struct fleet *fl = w->fl;
	struct fleet_failure *f = array_grow(fl->failed, &fl->nfailed, sizeof(*f));
	if (!f) {
		w->oom = true;
		return;
	}
	fl->failed = f;
	f = &fl->failed[fl->nfailed - 1];
	f->path = dup_or_oom(w, path);
	f->why = dup_or_oom(w, why);
}

/* Reads PATH whole, up to MAX bytes. */
static int read_file(const char *path, size_t max, char **out, size_t *len, time_t *mtime)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t have = 0;
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* the size may change under us: read to the end, within MAX */
	for (;;) {
		ssize_t n = read(fd, buf + have, (size_t)st.st_size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return -e;
		}
		if (!n || (have += (size_t)n) == (size_t)st.st_size)
			break;
	}
	close(fd);
	buf[have] = '\0';
	*out = buf;
	*len = have;
	*mtime = st.st_mtime;
	return 0;
}

/* Values in a JSON text, counted by what starts or separates them outside
 * strings: enough to refuse a file that would cost json-c too much. */
static size_t json_values(const char *s, size_t len)
{
	size_t n = 1;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == ',' || c == '[' || c == '{') {
			n++;
		}
	}
	return n;
}

static double get_number(json_object *o, const char *key)
{
	json_object *v = json_at(o, key);
	if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return NAN;
	double d = json_object_get_double(v);
	return isfinite(d) ? d : NAN;
}

static void measurements(struct fleet_host *h, json_object *m)
{
	json_object *freq = json_at(m, "freq"), *wake = json_at(m, "wake"), *cpus = json_at(freq, "cpus");
	json_object *cross = json_at(wake, "cross_cpu");

	if (cpus && json_object_is_type(cpus, json_type_array)) {
		size_t n = json_object_array_length(cpus), k = 0;
		double *mhz = n ? calloc(n, sizeof(*mhz)) : NULL;
		for (size_t i = 0; mhz && i < n; i++) {
			double v = get_number(json_object_array_get_idx(cpus, i), "mhz");
			if (v > 0)
				mhz[k++] = v;
		}
		double rated = get_number(freq, "rated_mhz");
		if (!(rated > 0))
			rated = get_number(freq, "max_mhz");
		if (k) {
			h->measure[FLEET_CLOCK_MHZ] = doubles_median(mhz, k);
			if (rated > 0)
				h->measure[FLEET_CLOCK_RATIO] = h->measure[FLEET_CLOCK_MHZ] / rated;
		}
		free(mhz);
	}
	h->measure[FLEET_TIMER_P99_US] = get_number(json_at(wake, "timer.allowed"), "p99_us");
	h->measure[FLEET_TIMER_HELD_P99_US] = get_number(json_at(wake, "timer.held"), "p99_us");
	if (cross && json_object_is_type(cross, json_type_array))
		for (size_t i = 0; i < json_object_array_length(cross); i++) {
			double v = get_number(json_at(json_object_array_get_idx(cross, i), "allowed"), "p99_us");
			if (!isnan(v) && (isnan(h->measure[FLEET_CROSS_P99_US]) || v > h->measure[FLEET_CROSS_P99_US]))
				h->measure[FLEET_CROSS_P99_US] = v;
		}
}

/* The directory a report sits in, for a host that names none: the
 * playbook keeps each host's files under its inventory name. */
static void dir_name(const char *path, char *out, size_t outsz)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		snprintf(out, outsz, "%s", path);
		return;
	}
	const char *start = slash;
	while (start > path && start[-1] != '/')
		start--;
	snprintf(out, outsz, "%.*s", (int)(slash - start), start);
	if (!out[0])
		snprintf(out, outsz, "%s", path);
}

/* Fills H from report O; a field that is not what check writes is said in
 * WHY. */
static int host_from(struct walk *w, struct fleet_host *h, json_object *o, const char *path, time_t mtime,
		     char *why, size_t whysz)
{
	json_object *schema = json_at(o, "schema"), *fs = json_at(o, "findings");
	const char *name = json_string_at(o, "host.hostname"), *generated = json_string_at(o, "generated");
	char dir[256];

	if (!json_object_is_type(o, json_type_object) || !schema || !json_object_is_type(schema, json_type_int)) {
		snprintf(why, whysz, "not a latdoc check --json report (no schema)");
		return -1;
	}
	if (json_object_get_int(schema) != JSON_SCHEMA) {
		snprintf(why, whysz, "report schema %d; this latdoc reads schema %d",
			 json_object_get_int(schema), JSON_SCHEMA);
		return -1;
	}
	if (!fs || !json_object_is_type(fs, json_type_array)) {
		snprintf(why, whysz, "no findings array: a `measure` report, not `check`'s?");
		return -1;
	}
	h->generated = mtime;
	if (generated) {
		struct tm tm = { 0 };
		const char *end = strptime(generated, "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (!end || *end) {
			snprintf(why, whysz, "\"generated\" is not a UTC time like 2026-01-31T12:00:00Z");
			return -1;
		}
		h->generated = timegm(&tm);
	}
	h->worst = -1;
	for (int m = 0; m < FLEET_MEASURES; m++)
		h->measure[m] = NAN;
	size_t n = json_object_array_length(fs);
	if (n && !(h->findings = calloc(n, sizeof(*h->findings)))) {
		w->oom = true;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(fs, i);
		const char *id = json_string_at(x, "id"), *sev = json_string_at(x, "severity"), *subject = json_string_at(x, "subject");
		enum severity s;
		if (!id || !*id || !sev || severity_parse(sev, &s) || !subject) {
			snprintf(why, whysz, "finding %zu has no id, severity (critical, warning, info) or subject",
				 i + 1);
			return -1;
		}
		struct fleet_finding *f = &h->findings[h->nfindings++];
		f->id = dup_or_oom(w, id);
		f->subject = dup_or_oom(w, subject);
		f->severity = s;
		if ((int)s > h->worst)
			h->worst = (int)s;
	}
	measurements(h, json_at(o, "measurements"));
	if (!name || !*name)
		dir_name(path, dir, sizeof(dir));
	h->name = dup_or_oom(w, name && *name ? name : dir);
	h->path = dup_or_oom(w, path);
	return 0;
}

static void host_free(struct fleet_host *h)
{
	for (size_t i = 0; i < h->nfindings; i++) {
		free(h->findings[i].id);
		free(h->findings[i].subject);
	}
	free(h->findings);
	free(h->name);
	free(h->path);
	memset(h, 0, sizeof(*h));
}

/* Takes report TEXT (LEN bytes, read from PATH) as a host, or as a
 * failure with the reason. */
static void take_report(struct walk *w, const char *path, const char *text, size_t len, time_t mtime)
{
	char why[400];

	if (json_values(text, len) > FLEET_MAX_VALUES) {
		failure(w, path, "more than %d JSON values: not a report latdoc wrote", FLEET_MAX_VALUES);
		return;
	}
	json_tokener *tok = json_tokener_new_ex(32);
	if (!tok) {
		w->oom = true;
		return;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error je = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	while (o && end < len && text[end] && strchr(" \t\r\n", text[end]))
		end++;
	if (!o || je != json_tokener_success || end != len) {
		if (o && je == json_tokener_success)
			failure(w, path, "not JSON: more after the report (byte %zu)", end + 1);
		else
			failure(w, path, "not JSON: %s at byte %zu",
				je == json_tokener_continue ? "it ends early" : json_tokener_error_desc(je), end + 1);
		json_object_put(o);
		json_tokener_free(tok);
		return;
	}
	json_tokener_free(tok);

	struct fleet *fl = w->fl;
	struct fleet_host h = { 0 };
	if (host_from(w, &h, o, path, mtime, why, sizeof(why))) {
		host_free(&h);
		if (!w->oom)
			failure(w, path, "%s", why);
	} else {
		struct fleet_host *a = array_grow(fl->hosts, &fl->nhosts, sizeof(*a));
		if (!a) {
			host_free(&h);
			w->oom = true;
		} else {
			fl->hosts = a;
			a[fl->nhosts - 1] = h;
		}
	}
	json_object_put(o);
}

static void report(struct walk *w, const char *path)
{
	char *text;
	size_t len;
	time_t mtime;
	int e = read_file(path, FLEET_MAX_REPORT, &text, &len, &mtime);

	if (e == -ENOMEM)
		w->oom = true;
	else if (e == -EFBIG)
		failure(w, path, "larger than %u MiB: not a report latdoc wrote", FLEET_MAX_REPORT >> 20);
	else if (e)
		failure(w, path, "cannot read: %s", strerror(-e));
	else
		take_report(w, path, text, len, mtime);
	if (!e)
		free(text);
}

int fleet_add_report(struct fleet *fl, const char *path, const char *text, size_t len, time_t mtime)
{
	struct walk w = { .fl = fl };
	take_report(&w, path, text, len, mtime);
	return w.oom ? -1 : 0;
}

/* The playbook's note of a run that failed: its first line says why. */
static void failed_run(struct walk *w, const char *path)
{
	char *text;
	size_t len;
	time_t mtime;
	if (read_file(path, 64 << 10, &text, &len, &mtime)) {
		failure(w, path, "latdoc check failed on this host (its error file cannot be read)");
		return;
	}
	text[strcspn(text, "\n")] = '\0';
	failure(w, path, "latdoc check failed on this host: %.300s", text[0] ? text : "no message");
	free(text);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct walk *w, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;

	if (!d) {
		failure(w, dir, "cannot read the directory: %s", strerror(errno));
		return;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.' || w->files >= FLEET_MAX_FILES)
			continue;
		char **a = array_grow(names, &n, sizeof(*a));
		if (!a) {
			w->oom = true;
			break;
		}
		names = a;
		if (!(names[n - 1] = strdup(e->d_name))) {
			w->oom = true;
			n--;
			break;
		}
		w->files++;
	}
	closedir(d);
	/* sorted: the same reports give the same summary */
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n && !w->oom; i++) {
		char path[4096];
		struct stat st;
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path) ||
		    lstat(path, &st))
			continue;
		/* links are not followed: a report tree links nowhere else */
		if (S_ISDIR(st.st_mode) && depth < FLEET_MAX_DEPTH)
			walk(w, path, depth + 1);
		else if (S_ISREG(st.st_mode) && ends_with(names[i], ".json"))
			report(w, path);
		else if (S_ISREG(st.st_mode) && !strcmp(names[i], "check.err"))
			failed_run(w, path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int by_host(const void *a, const void *b)
{
	const struct fleet_host *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	/* the newest report of a host first */
	return c ? c : x->generated > y->generated ? -1 : x->generated < y->generated;
}

/* Keeps a host's newest report; the others are named as left out. */
static void drop_duplicates(struct walk *w)
{
	struct fleet *fl = w->fl;
	size_t keep = 0;
	for (size_t i = 0; i < fl->nhosts; i++) {
		if (keep && !strcmp(fl->hosts[keep - 1].name, fl->hosts[i].name)) {
			struct fleet_duplicate *d = array_grow(fl->duplicates, &fl->nduplicates, sizeof(*d));
			if (d) {
				fl->duplicates = d;
				d = &d[fl->nduplicates - 1];
				d->name = dup_or_oom(w, fl->hosts[i].name);
				d->used = dup_or_oom(w, fl->hosts[keep - 1].path);
				d->ignored = dup_or_oom(w, fl->hosts[i].path);
			} else {
				w->oom = true;
			}
			host_free(&fl->hosts[i]);
			continue;
		}
		fl->hosts[keep++] = fl->hosts[i];
	}
	fl->nhosts = keep;
}

int fleet_load(struct fleet *fl, char *const *paths, size_t npaths, char *err, size_t errsz)
{
	struct walk w = { .fl = fl };

	for (size_t i = 0; i < npaths && !w.oom; i++) {
		struct stat st;
		if (stat(paths[i], &st)) {
			snprintf(err, errsz, "'%s': %s", paths[i], strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode))
			walk(&w, paths[i], 0);
		else if (!strcmp(strrchr(paths[i], '/') ? strrchr(paths[i], '/') + 1 : paths[i], "check.err"))
			failed_run(&w, paths[i]);
		else
			report(&w, paths[i]);
	}
	if (!w.oom) {
		if (fl->nhosts)
			qsort(fl->hosts, fl->nhosts, sizeof(*fl->hosts), by_host);
		drop_duplicates(&w);
	}
	if (w.oom) {
		snprintf(err, errsz, "out of memory while reading the reports");
		return -1;
	}
	return 0;
}

void fleet_free(struct fleet *fl)
{
	for (size_t i = 0; i < fl->nhosts; i++)
		host_free(&fl->hosts[i]);
	free(fl->hosts);
	for (size_t i = 0; i < fl->nfailed; i++) {
		free(fl->failed[i].path);
		free(fl->failed[i].why);
	}
	free(fl->failed);
	for (size_t i = 0; i < fl->nduplicates; i++) {
		free(fl->duplicates[i].name);
		free(fl->duplicates[i].used);
		free(fl->duplicates[i].ignored);
	}
	free(fl->duplicates);
	for (size_t i = 0; i < fl->ngroups; i++)
		free(fl->groups[i].hosts);
	free(fl->groups);
	free(fl->outliers);
	memset(fl, 0, sizeof(*fl));
}
