/* The journal: one file per run in /var/lib/latdoc (under the root), one
 * JSON record per line. Each change is announced (its target, the bytes
 * there before, the bytes wanted) and made durable before it is made, and
 * marked done after: a crash at any point leaves a journal that says
 * everything that may have been changed. It lives on disk, not on tmpfs,
 * so it survives the reboot that undoes the runtime changes but not the
 * persistent ones.
 *
 * Every string is percent-encoded (bytes below 0x20 or above 0x7e, and
 * '%'), so a record is one line of ASCII whatever a file held. */
#include "tune.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/escape.h"
#include "../root/root.h"
#include "version.h"

#define JOURNAL_FORMAT 1
#define JOURNAL_MAX_ENTRIES 200000

static const char *const op_names[J_OPS] = {
	[J_SET] = "set",	 [J_FILE] = "file",	  [J_LINK] = "link",
	[J_UNLINK] = "unlink", [J_MKDIR] = "mkdir",	  [J_MODULE] = "module",
	[J_SERVICE] = "service", [J_DOMAIN] = "domain",
};

const char *jop_name(enum jop op)
{
	return op_names[op];
}

static char *encode(const char *data, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(len * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c < 0x20 || c > 0x7e || c == '%') {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			*o++ = (char)c;
		}
	}
	*o = '\0';
	return out;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int decode(const char *s, struct jbytes *out)
{
	size_t n = strlen(s), len = 0;
	char *d = malloc(n + 1);

	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			d[len++] = s[i];
			continue;
		}
		int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
		int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
		if (lo < 0) {
			free(d);
			return -EINVAL;
		}
		d[len++] = (char)(hi << 4 | lo);
		i += 2;
	}
	d[len] = '\0';
	out->data = d;
	out->len = len;
	out->present = true;
	return 0;
}

static void now_iso(char *out, size_t outsz)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- writing ------------------------------------------------------------ */

static int add_str(json_object *o, const char *key, const char *s)
{
	if (!s)
		return json_object_object_add(o, key, NULL);
	char *e = encode(s, strlen(s));
	json_object *v = e ? json_object_new_string(e) : NULL;
	free(e);
	return v ? json_object_object_add(o, key, v) : -1;
}

static int add_bytes(json_object *o, const char *key, const struct jbytes *b)
{
	if (!b->present)
		return json_object_object_add(o, key, NULL);
	char *e = encode(b->data, b->len);
	json_object *v = e ? json_object_new_string(e) : NULL;
	free(e);
	return v ? json_object_object_add(o, key, v) : -1;
}

/* Appends TEXT as a line; DURABLE: fsynced before this returns. An
 * intent must be durable before its change is made; a done mark need not
 * be (revert judges each change by what is there, done or not), which
 * halves the syncs of a run that writes hundreds of per-CPU files. */
static int write_text(struct journal_writer *w, const char *text, bool durable)
{
	size_t n = strlen(text);
	char *line = malloc(n + 2);
	int err = 0;

	if (!line)
		return -ENOMEM;
	memcpy(line, text, n);
	line[n] = '\n';
	for (size_t off = 0; off < n + 1;) {
		ssize_t got = write(w->fd, line + off, n + 1 - off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			err = got < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)got;
	}
	free(line);
	if (!err && durable && fsync(w->fd) < 0)
		err = -errno;
	if (!err)
		fault_point("journal");
	return err;
}

static int write_line(struct journal_writer *w, const char *text)
{
	return write_text(w, text, true);
}

static int write_object(struct journal_writer *w, json_object *o)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
	int err = text ? write_line(w, text) : -ENOMEM;
	json_object_put(o);
	return err;
}

int journal_record(struct journal_writer *w, const char *json)
{
	return write_line(w, json);
}

char *journal_words(const char *text)
{
	char *enc = str_escape_dup(text, false);

	for (char *p = enc; p && *p; p++)
		if (*p == '"' || *p == '\\' || *p == '%')
			*p = '\'';
	return enc;
}

/* PATH (relative to R's root) as a person finds it: "/var/lib/latdoc",
 * "copy/var/lib/latdoc". */
static const char *under(struct root *r, const char *path, char *out, size_t outsz)
{
	const char *dir = root_dir(r);
	size_t n = strlen(dir);
	snprintf(out, outsz, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", path);
	return out;
}

/* var, var/lib and var/lib/latdoc, made where missing; the last one only
 * this user's. */
static int journal_dir(struct root *r, char *err, size_t errsz)
{
	static const struct {
		const char *path;
		unsigned mode;
	} dirs[] = { { "var", 0755 }, { "var/lib", 0755 }, { JOURNAL_DIR, 0700 } };
	struct stat st;
	char where[PATH_MAX];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int e = root_lstat(r, dirs[i].path, &st);
		if (e == -ENOENT)
			e = root_make_dir(r, dirs[i].path, dirs[i].mode);
		if (e && e != -EEXIST) {
			snprintf(err, errsz, "cannot make %s for the journals: %s%s",
				 under(r, dirs[i].path, where, sizeof(where)), strerror(-e),
				 e == -EACCES || e == -EPERM ? " (run as root)" : "");
			return -1;
		}
	}
	if (root_lstat(r, JOURNAL_DIR, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errsz, "%s is not a directory", under(r, JOURNAL_DIR, where, sizeof(where)));
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(err, errsz, "%s is not this user's alone (owner %u, mode %03o): a journal "
				     "there could be changed by someone else",
			 under(r, JOURNAL_DIR, where, sizeof(where)), (unsigned)st.st_uid,
			 (unsigned)st.st_mode & 0777);
		return -1;
	}
	return 0;
}

int journal_lock(struct root *r, struct journal_writer *w, char *err, size_t errsz)
{
	memset(w, 0, sizeof(*w));
	w->r = r;
	w->fd = -1;
	w->lock = -1;
	if (journal_dir(r, err, errsz))
		return -1;
	char lock[PATH_MAX];
	under(r, JOURNAL_DIR "/lock", lock, sizeof(lock));
	int fd = root_open_append(r, JOURNAL_DIR "/lock", 0600, true, false);
	if (fd < 0) {
		snprintf(err, errsz, "cannot open the lock %s: %s", lock, strerror(-fd));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			snprintf(err, errsz, "another latdoc tune or revert is running on %s (it holds "
					     "%s); wait for it to finish",
				 root_dir(r), lock);
		else
			snprintf(err, errsz, "cannot lock %s: %s", lock, strerror(e));
		return -1;
	}
	w->lock = fd;
	return 0;
}

int journal_create(struct journal_writer *w, const char *command, const char *host,
		   const char *boot_id, char *err, size_t errsz)
{
	char stamp[32], path[160], started[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int n = 1; n < 100 && w->fd < 0; n++) {
		snprintf(w->name, sizeof(w->name), "tune-%s-%02d.journal", stamp, n);
		snprintf(path, sizeof(path), "%s/%s", JOURNAL_DIR, w->name);
		w->fd = root_open_append(w->r, path, 0600, true, true);
		if (w->fd < 0 && w->fd != -EEXIST) {
			snprintf(err, errsz, "cannot create the journal %s/%s: %s", root_dir(w->r), path,
				 strerror(-w->fd));
			w->fd = -1;
			return -1;
		}
		if (w->fd < 0)
			w->fd = -1;
	}
	if (w->fd < 0) {
		snprintf(err, errsz, "cannot create a journal in %s/%s: 99 runs this second",
			 root_dir(w->r), JOURNAL_DIR);
		return -1;
	}
	now_iso(started, sizeof(started));
	json_object *o = json_object_new_object();
	int e = o ? 0 : -ENOMEM;
	e = e ? e : json_object_object_add(o, "journal", json_object_new_string("latdoc"));
	e = e ? e : json_object_object_add(o, "format", json_object_new_int(JOURNAL_FORMAT));
	e = e ? e : add_str(o, "version", LATDOC_VERSION);
	e = e ? e : add_str(o, "command", command);
	e = e ? e : add_str(o, "root", root_dir(w->r));
	e = e ? e : add_str(o, "host", host);
	e = e ? e : add_str(o, "boot_id", boot_id);
	e = e ? e : add_str(o, "started", started);
	e = e ? e : json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	if (e) {
		json_object_put(o);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if ((e = write_object(w, o))) {
		snprintf(err, errsz, "cannot write the journal %s: %s", w->name, strerror(-e));
		return -1;
	}
	return 0;
}

int journal_reopen(struct journal_writer *w, const struct journal *j, char *err, size_t errsz)
{
	char path[PATH_MAX];

	snprintf(w->name, sizeof(w->name), "%s", j->name);
	snprintf(path, sizeof(path), "%s/%s", JOURNAL_DIR, j->name);
	w->fd = root_open_append(w->r, path, 0600, false, false);
	if (w->fd < 0) {
		snprintf(err, errsz, "cannot append to the journal %s: %s", j->name, strerror(-w->fd));
		w->fd = -1;
		return -1;
	}
	if (j->torn && (ftruncate(w->fd, (off_t)j->whole) < 0 || fsync(w->fd) < 0)) {
		snprintf(err, errsz, "cannot cut the torn last record off the journal %s: %s", j->name,
			 strerror(errno));
		close(w->fd);
		w->fd = -1;
		return -1;
	}
	for (size_t i = 0; i < j->count; i++)
		if (j->entries[i].seq > w->seq)
			w->seq = j->entries[i].seq;
	return 0;
}

/* Whether E names something tune may change: a journal handed to revert
 * is held to the same list as tune itself, and what tune writes into one
 * to the list revert reads it by, or revert could not undo it. */
static bool entry_allowed(const struct jentry *e)
{
	switch (e->op) {
	case J_SET:
		return knob_allowed(e->path);
	case J_FILE:
		return knob_owned_file(e->path);
	case J_LINK:
	case J_UNLINK:
		return knob_owned_link(e->path);
	case J_MKDIR:
		return knob_owned_dir(e->path);
	case J_MODULE:
		return knob_module_allowed(e->path);
	case J_SERVICE:
		return knob_service_allowed(e->path);
	case J_DOMAIN:
		return *e->path != '\0';
	case J_OPS:
		break;
	}
	return false;
}

const char *journal_strerror(int err)
{
	return err == -EPERM ? "it names something latdoc does not change" : strerror(-err);
}

int journal_intent(struct journal_writer *w, struct jentry *e)
{
	char time[32];

	if (!entry_allowed(e))
		return -EPERM;
	json_object *o = json_object_new_object();
	int err = o ? 0 : -ENOMEM;

	now_iso(time, sizeof(time));
	e->seq = ++w->seq;
	err = err ? err : json_object_object_add(o, "seq", json_object_new_int(e->seq));
	err = err ? err : json_object_object_add(o, "op", json_object_new_string(op_names[e->op]));
	err = err ? err : add_str(o, "path", e->path);
	err = err ? err : add_str(o, "finding", e->finding);
	err = err ? err : add_str(o, "time", time);
	err = err ? err : add_bytes(o, "old", &e->old);
	err = err ? err : add_bytes(o, "new", &e->new);
	if (!err && (e->op == J_FILE || e->op == J_MKDIR))
		err = json_object_object_add(o, "mode", json_object_new_int((int)e->mode));
	if (!err && e->op == J_FILE && e->old.present && e->uid >= 0 && e->gid >= 0) {
		err = json_object_object_add(o, "uid", json_object_new_int64(e->uid));
		err = err ? err : json_object_object_add(o, "gid", json_object_new_int64(e->gid));
	}
	if (!err && e->op == J_DOMAIN) {
		err = add_str(o, "uri", e->uri);
		err = err ? err : add_str(o, "uuid", e->uuid);
	}
	if (err) {
		json_object_put(o);
		return -ENOMEM;
	}
	return write_object(w, o);
}

int journal_done(struct journal_writer *w, int seq, bool wrote)
{
	char text[64];
	snprintf(text, sizeof(text), "{\"done\":%d,\"wrote\":%s}", seq, wrote ? "true" : "false");
	return write_text(w, text, false);
}

int journal_done_kept(struct journal_writer *w, int seq, bool wrote, const char *kept)
{
	json_object *o = json_object_new_object();
	struct jbytes b = { .data = (char *)kept, .len = strlen(kept), .present = true };
	if (!o || json_object_object_add(o, "done", json_object_new_int(seq)) ||
	    json_object_object_add(o, "wrote", json_object_new_boolean(wrote)) ||
	    add_bytes(o, "kept", &b)) {
		json_object_put(o);
		return -ENOMEM;
	}
	return write_object(w, o);
}

int journal_failed(struct journal_writer *w, int seq, const char *error)
{
	json_object *o = json_object_new_object();
	if (!o || json_object_object_add(o, "failed", json_object_new_int(seq)) ||
	    add_str(o, "error", error)) {
		json_object_put(o);
		return -ENOMEM;
	}
	return write_object(w, o);
}

void journal_close(struct journal_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->lock >= 0)
		close(w->lock); /* and the lock with it */
	w->fd = w->lock = -1;
}

/* ---- reading ------------------------------------------------------------ */

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A decoded copy of the string KEY of O into *OUT: 0, -ENOENT when absent
 * or null, -EINVAL when malformed. */
static int get_decoded(json_object *o, const char *key, char **out)
{
	struct jbytes b = { 0 };
	const char *s = get_str(o, key);
	if (!s)
		return -ENOENT;
	int e = decode(s, &b);
	if (e)
		return e;
	if (memchr(b.data, '\0', b.len)) {
		free(b.data);
		return -EINVAL;
	}
	*out = b.data;
	return 0;
}

static int get_bytes(json_object *o, const char *key, struct jbytes *out)
{
	json_object *v;
	memset(out, 0, sizeof(*out));
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0; /* absent: not there before, or nothing */
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	return decode(json_object_get_string(v), out);
}

static bool get_int(json_object *o, const char *key, int *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	int64_t n = json_object_get_int64(v);
	if (n < 0 || n > INT_MAX)
		return false;
	*out = (int)n;
	return true;
}

/* An owner's id: absent is -1 (a journal before owners were kept). */
static int get_id(json_object *o, const char *key, long *out)
{
	json_object *v;
	*out = -1;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	int64_t n = json_object_get_int64(v);
	if (n < 0 || n > (int64_t)UINT32_MAX - 1)
		return -EINVAL;
	*out = (long)n;
	return 0;
}

static struct jentry *find_entry(struct journal *j, int seq)
{
	for (size_t i = j->count; i-- > 0;)
		if (j->entries[i].seq == seq)
			return &j->entries[i];
	return NULL;
}

static int parse_entry(struct journal *j, json_object *o, char *err, size_t errsz)
{
	struct jentry e = { 0 };
	const char *op = get_str(o, "op");
	int ok = get_int(o, "seq", &e.seq) && op;

	e.op = J_OPS;
	for (int i = 0; ok && i < J_OPS; i++)
		if (!strcmp(op, op_names[i]))
			e.op = (enum jop)i;
	if (!ok || e.op == J_OPS || get_decoded(o, "path", &e.path)) {
		snprintf(err, errsz, "a change without a known op, seq or path");
		goto bad;
	}
	if (find_entry(j, e.seq) || (j->count && e.seq <= j->entries[j->count - 1].seq)) {
		snprintf(err, errsz, "change %d out of order", e.seq);
		goto bad;
	}
	if (!entry_allowed(&e)) {
		snprintf(err, errsz, "change %d names %.200s, which is not something latdoc changes",
			 e.seq, e.path);
		goto bad;
	}
	int d = get_decoded(o, "finding", &e.finding);
	d = d == -ENOENT ? 0 : d;
	int t = get_decoded(o, "time", &e.time);
	d = d ? d : t == -ENOENT ? 0 : t;
	d = d ? d : get_bytes(o, "old", &e.old);
	d = d ? d : get_bytes(o, "new", &e.new);
	if (!d && (e.op == J_FILE || e.op == J_MKDIR)) {
		int mode;
		d = get_int(o, "mode", &mode) && mode <= 07777 ? 0 : -EINVAL;
		e.mode = (unsigned)mode;
	}
	e.uid = e.gid = -1;
	if (!d && e.op == J_FILE) {
		d = get_id(o, "uid", &e.uid);
		d = d ? d : get_id(o, "gid", &e.gid);
	}
	if (!d && e.op == J_DOMAIN) {
		/* the uuid tells the domain tune defined from another of its
		 * name: revert holds the journal to it */
		d = get_decoded(o, "uri", &e.uri);
		d = d ? d : get_decoded(o, "uuid", &e.uuid);
	}
	if (d) {
		snprintf(err, errsz, "change %d: a malformed field", e.seq);
		goto bad;
	}
	if (j->count >= JOURNAL_MAX_ENTRIES) {
		snprintf(err, errsz, "more than %d changes", JOURNAL_MAX_ENTRIES);
		goto bad;
	}
	struct jentry *grown = realloc(j->entries, (j->count + 1) * sizeof(*grown));
	if (!grown) {
		snprintf(err, errsz, "out of memory");
		goto bad;
	}
	j->entries = grown;
	j->entries[j->count++] = e;
	return 0;
bad:
	free(e.path);
	free(e.finding);
	free(e.time);
	free(e.old.data);
	free(e.new.data);
	free(e.uri);
	free(e.uuid);
	return -1;
}

static void replace_str(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

static int parse_record(struct journal *j, json_object *o, char *err, size_t errsz)
{
	int seq;
	char *s = NULL;

	if (json_object_object_get_ex(o, "seq", NULL))
		return parse_entry(j, o, err, errsz);
	if (get_int(o, "done", &seq) || get_int(o, "failed", &seq) || get_int(o, "undone", &seq)) {
		struct jentry *e = find_entry(j, seq);
		json_object *wrote;
		if (!e) {
			snprintf(err, errsz, "a record about change %d, which is not there", seq);
			return -1;
		}
		if (json_object_object_get_ex(o, "done", NULL)) {
			e->done = true;
			e->wrote = json_object_object_get_ex(o, "wrote", &wrote) &&
				   json_object_get_boolean(wrote);
			free(e->kept.data); /* a change marked done twice: the last mark */
			if (get_bytes(o, "kept", &e->kept)) {
				snprintf(err, errsz, "change %d: a malformed field", seq);
				return -1;
			}
		} else if (json_object_object_get_ex(o, "failed", NULL)) {
			if (!get_decoded(o, "error", &s))
				replace_str(&e->failed, s);
		} else if (!get_decoded(o, "result", &s)) {
			replace_str(&e->undone, s);
		}
		return 0;
	}
	if (get_int(o, "undo", &seq))
		return 0; /* a revert's intent: what it says is in its result */
	if (!get_decoded(o, "end", &s)) {
		replace_str(&j->end, s);
		return 0;
	}
	const char *rev = get_str(o, "revert");
	if (rev && !strcmp(rev, "begin")) {
		j->reverts++;
		replace_str(&j->revert_end, NULL);
		return 0;
	}
	if (rev && !strcmp(rev, "end") && !get_decoded(o, "result", &s)) {
		replace_str(&j->revert_end, s);
		return 0;
	}
	json_object *prove;
	if (json_object_object_get_ex(o, "prove", &prove)) {
		const char *text = json_object_to_json_string_ext(prove, JSON_C_TO_STRING_PLAIN);
		replace_str(&j->prove, text ? strdup(text) : NULL);
		return 0;
	}
	snprintf(err, errsz, "a record latdoc does not write");
	return -1;
}

static int parse_header(struct journal *j, json_object *o)
{
	const char *magic = get_str(o, "journal");
	int format;

	if (!magic || strcmp(magic, "latdoc") || !get_int(o, "format", &format))
		return -EINVAL;
	if (format != JOURNAL_FORMAT)
		return -EPROTO;
	get_decoded(o, "command", &j->command);
	get_decoded(o, "root", &j->root);
	get_decoded(o, "host", &j->host);
	get_decoded(o, "boot_id", &j->boot_id);
	get_decoded(o, "started", &j->started);
	get_decoded(o, "version", &j->version);
	return 0;
}

/* NAME alone, or a path that leads into the journal directory. */
static int journal_name(struct root *r, const char *given, char *name, size_t namesz, char *err,
			size_t errsz)
{
	const char *base = strrchr(given, '/');
	if (base) {
		char dir[PATH_MAX], want[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - given), given);
		snprintf(want, sizeof(want), "%s/%s", root_dir(r), JOURNAL_DIR);
		if (!realpath(*dir ? dir : "/", a) || !realpath(want, b) || strcmp(a, b)) {
			snprintf(err, errsz, "%s is not in %s: give a journal's name, as tune --list "
					     "shows it",
				 given, want);
			return -1;
		}
		given = base + 1;
	}
	if (!*given || given[0] == '.' || strlen(given) >= namesz) {
		snprintf(err, errsz, "'%s' is not a journal's name", given);
		return -1;
	}
	snprintf(name, namesz, "%s", given);
	return 0;
}

int journal_load(struct root *r, const char *given, struct journal *j, char *err, size_t errsz)
{
	char name[NAME_MAX + 1], path[PATH_MAX];
	struct stat st;
	char *buf;
	size_t len;

	memset(j, 0, sizeof(*j));
	if (journal_name(r, given, name, sizeof(name), err, errsz))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", JOURNAL_DIR, name);
	int e = root_lstat(r, path, &st);
	if (e) {
		snprintf(err, errsz, "journal %s: %s", name,
			 e == -ENOENT ? "no such journal (tune --list shows them)" : strerror(-e));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "journal %s is not a regular file", name);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(err, errsz, "journal %s is not this user's alone (owner %u, mode %03o): "
				     "refusing to act on what someone else could have written",
			 name, (unsigned)st.st_uid, (unsigned)st.st_mode & 0777);
		return -1;
	}
	if ((e = root_read(r, path, &buf, &len))) {
		snprintf(err, errsz, "cannot read journal %s: %s", name, strerror(-e));
		return -1;
	}
	int status = journal_parse(buf, len, name, j, err, errsz);
	free(buf);
	return status;
}

int journal_parse(const char *buf, size_t len, const char *name, struct journal *j, char *err,
		  size_t errsz)
{
	char why[256];

	memset(j, 0, sizeof(*j));
	if (!(j->name = strdup(name))) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	size_t line = 0;
	int status = 0;
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		journal_free(j);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (const char *p = buf; p < buf + len && !status; line++) {
		const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		json_object *o = NULL;
		if (nl && !memchr(p, '\0', (size_t)(nl - p)) && nl - p <= INT_MAX) {
			json_tokener_reset(tok);
			o = json_tokener_parse_ex(tok, p, (int)(nl - p));
			if (o && (json_tokener_get_error(tok) != json_tokener_success ||
				  json_tokener_get_parse_end(tok) != (size_t)(nl - p) ||
				  !json_object_is_type(o, json_type_object))) {
				json_object_put(o);
				o = NULL;
			}
		}
		const char *next = nl ? nl + 1 : buf + len;
		if (!o && next == buf + len && line > 0) {
			/* the last record, cut short: a crash while it was
			 * written, before the change it announced */
			j->torn = true;
			j->whole = (size_t)(p - buf);
			break;
		}
		if (!o && line == 0) {
			snprintf(err, errsz, "%s is not a latdoc journal (its first line is not a "
					     "journal header)", name);
			status = -1;
		} else if (!o) {
			snprintf(err, errsz, "journal %s is damaged at line %zu: not a record", name,
				 line + 1);
			status = -1;
		} else if (line == 0) {
			int h = parse_header(j, o);
			if (h == -EPROTO)
				snprintf(err, errsz, "journal %s is of a format this latdoc does not read",
					 name);
			else if (h)
				snprintf(err, errsz, "%s is not a latdoc journal", name);
			status = h ? -1 : 0;
		} else if (parse_record(j, o, why, sizeof(why))) {
			snprintf(err, errsz, "journal %s, line %zu: %s", name, line + 1, why);
			status = -1;
		}
		json_object_put(o);
		p = next;
	}
	json_tokener_free(tok);
	if (!status && !line) {
		snprintf(err, errsz, "%s is not a latdoc journal: it is empty", name);
		status = -1;
	}
	if (status)
		journal_free(j);
	return status;
}

void journal_free(struct journal *j)
{
	for (size_t i = 0; i < j->count; i++) {
		struct jentry *e = &j->entries[i];
		free(e->path);
		free(e->finding);
		free(e->time);
		free(e->old.data);
		free(e->new.data);
		free(e->kept.data);
		free(e->uri);
		free(e->uuid);
		free(e->failed);
		free(e->undone);
	}
	free(j->entries);
	free(j->name);
	free(j->command);
	free(j->root);
	free(j->host);
	free(j->boot_id);
	free(j->started);
	free(j->version);
	free(j->end);
	free(j->revert_end);
	free(j->prove);
	memset(j, 0, sizeof(*j));
}

int journal_list(struct root *r, char ***names, size_t *count)
{
	int e = root_list(r, JOURNAL_DIR, names, count);
	if (e)
		return e;
	size_t n = 0;
	for (size_t i = 0; i < *count; i++) {
		const char *s = (*names)[i];
		size_t len = strlen(s);
		if (len > 8 && !strcmp(s + len - 8, ".journal") && s[0] != '.')
			(*names)[n++] = (*names)[i];
		else
			free((*names)[i]);
	}
	(*names)[n] = NULL;
	*count = n;
	return 0;
}
