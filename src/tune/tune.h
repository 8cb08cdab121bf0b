/* tune, revert and hold: the findings' fix actions made into a plan, the
 * plan carried out through a write-ahead journal, and the journal undone
 * (docs/TUNE.md). One job per file:
 *
 *   knobs.c    what tune may write, and where a fix action's target lives
 *   order.c    the order the drivers' rules impose on writes
 *   plan.c     the fix actions of a report, deduplicated and ordered
 *   journal.c  the journal: written ahead of each change, read back
 *   apply.c    the runtime changes
 *   persist.c  the configuration that survives a reboot
 *   domain.c   a libvirt domain's XML, defined through libvirt's API
 *   revert.c   a journal undone, newest first, drift refused
 *   prove.c    the measurements before and after
 */
#ifndef LATDOC_TUNE_H
#define LATDOC_TUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../audit/report.h"
#include "../findings/findings.h"

struct root;

/* ---- knobs.c ---------------------------------------------------------- */

/* Whether tune may write PATH (relative to the root): a knob the rules
 * know, named in plain bytes (letters, digits, _.,:+-/ and '*' for a
 * glob), never anything else. */
bool knob_allowed(const char *path);
/* The file of a runtime action (FIX_SYSFS, FIX_SYSCTL, FIX_MODULE_OPTION)
 * relative to the root: "proc/sys/vm/swappiness". -EINVAL when the
 * target is not a knob tune writes. */
int knob_path(const struct fix_action *a, char *out, size_t outsz);
/* Whether S is a value tune writes into a file: short, one word of
 * letters, digits and _.,:+-. Config files are read by shells and
 * parsers; a value from a dump must not carry a quote or a newline. */
bool knob_value_ok(const char *s);
/* The value a kernel attribute shows: the [selected] word of a choice
 * ("always [madvise] never"), else the text without trailing blanks. */
void knob_value(const char *bytes, size_t len, char *out, size_t outsz);

/* Units tune disables or starts, and modules it loads. */
bool knob_service_allowed(const char *unit);
bool knob_module_allowed(const char *module);
bool knob_cmdline_allowed(const char *param);

/* The files latdoc owns under /etc (relative to the root), which persist
 * writes and revert removes or restores. */
enum owned_file { OWN_TMPFILES, OWN_SYSCTL, OWN_MODPROBE, OWN_MODULES, OWN_GRUB, OWN_HOLD_UNIT,
		  OWN_FILES };
extern const char *const owned_files[OWN_FILES];
bool knob_owned_file(const char *path);
/* A unit's enablement link: etc/systemd/system/X.wants/UNIT. */
bool knob_owned_link(const char *path);
/* A directory on the way to one of them. */
bool knob_owned_dir(const char *path);

/* ---- order.c ---------------------------------------------------------- */

/* Where a write to PATH goes among the others: lower first. A driver's
 * status resets everything under it, so it goes first; the governor goes
 * before EPP, which the kernel refuses (EBUSY) under the performance
 * governor with HWP. revert goes by the same ranks, so the governor is
 * restored before EPP there too. */
int order_rank(const char *path);

/* ---- plan.c ----------------------------------------------------------- */

enum change_state {
	CHANGE_APPLIES,   /* tune makes it with --apply / --persist / --vm */
	CHANGE_LIVE_ONLY, /* only on this machine: a module, a service */
	CHANGE_NEEDS_VM,  /* a domain's XML: with --vm NAME */
	CHANGE_BY_HAND,   /* tune does not make it: the note says how */
};

struct change {
	const struct fix_action *action; /* the first of the alike, borrowed */
	char path[256];    /* a runtime knob's file, relative to the root */
	char fixes[256];   /* the findings it fixes: "cpu.freq.low, cpu.governor" */
	enum change_state state;
	char note[384];
	int rank;
	size_t order;      /* its place among the findings' actions */
};

struct plan {
	struct change *items;
	size_t count;
};

enum cstates_way { CSTATES_DISABLE, CSTATES_HOLD };

struct plan_options {
	enum cstates_way cstates;
	const char *vm;  /* the domain --vm names, or NULL */
	bool live;       /* the root is this machine */
};

/* The fix actions of REP's findings: one change per target (alike actions
 * of several findings, such as the governor that cpu.freq.low and
 * cpu.governor both want, once), of the C-state way chosen, in the order
 * they are made. Returns 0 or -ENOMEM. */
int plan_build(const struct report *rep, const struct plan_options *o, struct plan *out);
void plan_free(struct plan *p);
/* Changes that a run with these options makes. */
size_t plan_count(const struct plan *p, enum fix_when when, enum change_state state);

/* ---- carry.c ---------------------------------------------------------- */

/* Adds to OUT a finding per journal in effect that was not told to persist,
 * with the persistent actions that keep the runtime changes it made and
 * that still show (of the findings whose id starts with ONLY, all when
 * NULL): tune --persist after tune --apply keeps them. Each
 * finding's id is its journal's name, in *NAMES, which the caller frees
 * with root_free_names() after the findings. Returns 0 or -ENOMEM. */
int carry_journals(struct root *r, struct findings *out, const char *only, char ***names);

/* ---- journal.c -------------------------------------------------------- */

#define JOURNAL_DIR "var/lib/latdoc"

enum jop {
	J_SET,     /* a kernel attribute written */
	J_FILE,    /* a file created or replaced whole */
	J_LINK,    /* a link made (a unit enabled) */
	J_UNLINK,  /* a link removed (a unit disabled) */
	J_MKDIR,   /* a directory made to hold a file */
	J_MODULE,  /* a module loaded */
	J_SERVICE, /* a unit started */
	J_DOMAIN,  /* a libvirt domain defined anew */
	J_OPS
};

/* Bytes that may be absent (a file that was not there). */
struct jbytes {
	char *data;
	size_t len;
	bool present;
};

struct jentry {
	int seq;
	enum jop op;
	char *path;    /* relative to the root; a module, a unit, a domain */
	char *finding; /* the findings it fixes */
	char *time;
	struct jbytes old, new;
	unsigned mode; /* J_FILE: the old file's mode; J_MKDIR: the new one's */
	long uid, gid; /* J_FILE: the old file's owner; -1 when not known */
	char *uri, *uuid;   /* J_DOMAIN */
	struct jbytes kept; /* J_DOMAIN: the XML as libvirt kept it */
	bool done;     /* marked done: the change was made, or was not needed */
	bool wrote;    /* done, and a write was needed */
	char *failed;  /* the error that stopped the run here */
	char *undone;  /* what the last revert did with it */
};

struct journal {
	char *name;
	char *command, *root, *host, *boot_id, *started, *version;
	struct jentry *entries;
	size_t count;
	char *end;        /* how the run ended; NULL: it did not (a crash) */
	bool torn;        /* the last record was cut short (a crash while writing it) */
	size_t whole;     /* the bytes of the records before it */
	int reverts;      /* revert runs begun */
	char *revert_end; /* how the last one ended; NULL: it did not */
	char *prove;      /* the before/after figures, as JSON text */
};

/* An open journal being written. */
struct journal_writer {
	struct root *r;
	int fd;
	int lock;
	char name[96];
	int seq;
};

const char *jop_name(enum jop op);

/* Takes the lock of the journal directory (made when missing): one tune or
 * revert at a time. Returns 0, or -1 with why in ERR. */
int journal_lock(struct root *r, struct journal_writer *w, char *err, size_t errsz);
/* Starts a new journal for a run of COMMAND; the lock must be held. */
int journal_create(struct journal_writer *w, const char *command, const char *host,
		   const char *boot_id, char *err, size_t errsz);
/* Appends to journal J (loaded) for a revert. A last record cut short is
 * cut off first: appended to, it would be a damaged line in the middle,
 * and the next revert would refuse the journal. */
int journal_reopen(struct journal_writer *w, const struct journal *j, char *err, size_t errsz);
/* Writes an intent record for E (its seq is set) and makes it durable
 * before the change is made. -EPERM for a change that revert would
 * refuse to read back: nothing tune may change. */
int journal_intent(struct journal_writer *w, struct jentry *e);
/* Why a journal write failed, in words. */
const char *journal_strerror(int err);
int journal_done(struct journal_writer *w, int seq, bool wrote);
int journal_failed(struct journal_writer *w, int seq, const char *error);
/* Done, with the bytes as the other side keeps them (a domain's XML as
 * libvirt formats it), which revert compares with. */
int journal_done_kept(struct journal_writer *w, int seq, bool wrote, const char *kept);
/* Any other record: "end", "prove", the revert's. TEXT is one JSON object
 * on one line, without the newline. */
int journal_record(struct journal_writer *w, const char *json);
/* TEXT, our own words (an error, a result), fit to stand inside a JSON
 * string of such a record: escaped, and any quote, backslash or '%' made
 * an apostrophe (the journal's percent-encoding is for bytes, not for
 * these).
 * A new string; NULL when out of memory. */
char *journal_words(const char *text);
void journal_close(struct journal_writer *w);

/* Reads journal NAME (a file in JOURNAL_DIR) or PATH (with a '/', on this
 * machine), checks that it is latdoc's, whole, and owned and writable by
 * no one but this user. Returns 0, or -1 with why in ERR. */
int journal_load(struct root *r, const char *name, struct journal *out, char *err, size_t errsz);
/* The same from the journal's bytes (NAME for the messages): what revert
 * trusts, checked line by line. */
int journal_parse(const char *buf, size_t len, const char *name, struct journal *out, char *err,
		  size_t errsz);
void journal_free(struct journal *j);
/* The journals in JOURNAL_DIR, oldest first; NULL-terminated, freed with
 * root_free_names(). */
int journal_list(struct root *r, char ***names, size_t *count);

/* ---- the runs: apply.c, persist.c, domain.c, revert.c ------------------ */

struct run {
	struct root *r;
	struct journal_writer *w;
	const struct facts *facts;
	FILE *out;
	bool live;
	char err[512]; /* the error that stopped the run */
	int made;      /* changes made */
	int skipped;   /* changes found made already */
	bool reload;   /* unit files changed: systemd must reload */
	char then[512]; /* commands left for the user: update-grub */
};

/* Why a write failed, in words that say what to do. */
const char *tune_write_error(int err);
/* RUN->err says the journal could not be written (ERR from journal.c, its
 * -EPERM in journal_strerror's words); returns -1. */
int tune_journal_error(struct run *run, int err);
/* One line of progress: "  set /sys/...: powersave -> performance". */
void tune_say(struct run *run, const char *verb, const char *what, const char *from,
	      const char *to);
/* The bytes that set WANT in a file of KIND (root_file_kind) that shows
 * CUR now: a kernel attribute takes the word; a dump's copy of one is made
 * to show what the kernel would, a choice keeping its other words with
 * WANT in brackets ("always [madvise] never"). */
void tune_bytes_for(int kind, const char *cur, size_t len, const char *want, char *out,
		    size_t outsz);
/* Runs ARGV (an absolute path first) and waits; -1 with why in ERR. */
int tune_spawn(char *const argv[], char *err, size_t errsz);
/* The first of PATHS (NULL-terminated) that this machine can run. */
const char *tune_tool(const char *const *paths);
/* Where modprobe and systemctl may be, for tune_tool(): tune and revert
 * look in the same places. */
extern const char *const tune_modprobe[];
extern const char *const tune_systemctl[];
/* Whether MODULE is loaded (sys/module under R) and UNIT is active
 * (systemctl is-active): what tune finds made already and revert undoes. */
bool tune_module_loaded(struct root *r, const char *module);
bool tune_unit_active(const char *unit);

/* Makes the runtime knob changes of P that apply, in order. Returns 0, or
 * -1 with the error in RUN->err (what was written stays in the journal). */
int apply_runtime(struct run *run, const struct plan *p);
/* Loads modules and starts units (this machine only). */
int apply_services(struct run *run, const struct plan *p);
/* Writes the persistent configuration of P. */
int persist_apply(struct run *run, const struct plan *p, enum cstates_way cstates);
/* Where a persistent change goes, in words: "/etc/sysctl.d/90-latdoc.conf:
 * vm.swappiness = 10". Empty when it goes into no file tune writes. */
void persist_describe(const struct change *c, char *out, size_t outsz);
/* Whether persistent change C is in place already: its line in latdoc's
 * file, its unit's links as wanted. A second plan leaves it out. */
bool persist_in_place(struct root *r, const struct change *c);
/* The unit file latdoc-hold.service, running EXE. */
int persist_hold_unit(const char *exe, char **out);

/* Defines domain NAME anew with the XML changes of P, through libvirt at
 * URI. */
int domain_apply(struct run *run, const struct plan *p, const char *uri, const char *name);
/* Edits XML by the changes (FIX_LIBVIRT actions) into *OUT. */
int domain_edit(const char *xml, size_t len, const struct fix_action *const *edits, size_t n,
		char **out, char *err, size_t errsz);

enum revert_verdict { REVERT_RESTORE, REVERT_ALREADY, REVERT_REFUSE, REVERT_FAIL };

/* Judges domain E->path against the journal, through libvirt at URI (or
 * the journal's): REVERT_RESTORE when its XML is what tune defined,
 * REVERT_ALREADY when it is what it was before, REVERT_REFUSE when it
 * changed since or another domain has the name (NOW says which),
 * REVERT_FAIL when libvirt cannot tell (WHY). */
enum revert_verdict domain_judge(const struct jentry *e, const char *uri, char *now, size_t nowsz,
				 char *why, size_t whysz);
/* Defines domain E->path again with the XML it had before the run. */
int domain_restore(const struct jentry *e, const char *uri, char *why, size_t whysz);

struct revert_result {
	int restored, already, refused, failed;
};
/* Whether J's last revert ended complete: nothing refused or failed. */
bool journal_reverted(const struct journal *j);
/* Undoes journal J. FORCE restores values changed since. */
int revert_run(struct run *run, const struct journal *j, bool force, const char *uri,
	       struct revert_result *res);

/* ---- prove.c ---------------------------------------------------------- */

/* The before/after table of two reports measured on this machine. */
void prove_print(FILE *out, const struct report *before, const struct report *after);
/* The same figures as a journal record, {"prove":{"before":...,"after":...}}. */
char *prove_json(const struct report *before, const struct report *after);

/* ---- fault points: only in the test build (meson -Dtest_hooks=true) -- */

#ifdef LATDOC_TEST_HOOKS
/* The Nth call (LATDOC_FAULT_AT=N) kills the process, as a crash would. */
void fault_point(const char *what);
#else
static inline void fault_point(const char *what)
{
	(void)what;
}
#endif

#endif
