/* latdoc revert: undo what one tune run changed, exactly, newest first. A
 * value someone changed since is refused, not clobbered, unless --force. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/escape.h"
#include "../root/root.h"
#include "../tune/tune.h"
#include "commands.h"

enum { LAST, FORCE, ROOT, CONNECT };

static const struct opt opts[] = {
	[LAST] = { .name = "last", .type = OPT_FLAG,
		   .help = "undo the newest run not yet reverted (the newest, when all are)" },
	[FORCE] = { .name = "force", .type = OPT_FLAG,
		    .help = "also restore values changed since tune wrote them" },
	[ROOT] = { .name = "root", .type = OPT_STRING, .arg = "DIR",
		   .help = "act on the machine root DIR and its journals (default /)",
		   .complete = COMPLETE_DIR },
	[CONNECT] = { .name = "connect", .type = OPT_STRING, .arg = "URI",
		      .help = "libvirt's URI for the domains, instead of the one in the journal" },
};
const struct opt_table revert_options = OPT_TABLE(opts);

#define ME "latdoc revert"

static void say_error(const char *err)
{
	char safe[700];
	str_escape(safe, sizeof(safe), err, false);
	fprintf(stderr, ME ": %s\n", safe);
}

/* The newest journal not yet reverted whole (a revert cut short, or one
 * that refused a value, counts as not), else the newest: revert --last
 * undoes runs newest first, one a time, and is the same revert again
 * when there is nothing left. */
static int newest(struct root *r, char *out, size_t outsz)
{
	char **names, err[512];
	size_t n;
	int e = journal_list(r, &names, &n);
	if (e == -ENOENT || (!e && !n)) {
		fprintf(stderr, ME ": no journal in %s: nothing to undo\n", root_dir(r));
		if (!e)
			root_free_names(names);
		return -1;
	}
	if (e) {
		fprintf(stderr, ME ": cannot list the journals in %s: %s\n", root_dir(r), strerror(-e));
		return -1;
	}
	snprintf(out, outsz, "%s", names[n - 1]);
	for (size_t i = n; i-- > 0;) {
		struct journal j;
		if (journal_load(r, names[i], &j, err, sizeof(err)))
			continue;
		bool done = journal_reverted(&j);
		journal_free(&j);
		if (!done) {
			snprintf(out, outsz, "%s", names[i]);
			break;
		}
	}
	root_free_names(names);
	return 0;
}

static bool grub_changed(const struct journal *j)
{
	for (size_t i = 0; i < j->count; i++)
		if (j->entries[i].op == J_FILE && !strcmp(j->entries[i].path, owned_files[OWN_GRUB]))
			return true;
	return false;
}

int cmd_revert(const struct opt_result *o)
{
	const char *dir = o->v[ROOT].set ? o->v[ROOT].str : "/", *why;
	char name[256], err[700], boot[64] = "";
	struct journal_writer w;
	struct journal j;
	int status = EXIT_ERROR;

	if (o->nargs > 1 || (o->nargs == 1) == o->v[LAST].set) {
		fprintf(stderr, ME ": name one journal, or --last for the newest (latdoc tune --list "
				   "shows them)\n");
		return EXIT_ERROR;
	}
	struct root *r = root_open(dir, &why);
	if (!r) {
		fprintf(stderr, ME ": cannot use '%s' as the root: %s\n", dir, why);
		return EXIT_ERROR;
	}
	struct stat st;
	if (root_is_archive(r)) {
		fprintf(stderr, ME ": %s is an archive, which is read, never written: unpack it and "
				"give the directory\n", dir);
		root_close(r);
		return EXIT_ERROR;
	}
	if (root_lstat(r, JOURNAL_DIR, &st)) {
		/* nothing to undo: and no journal directory made to say so */
		fprintf(stderr, ME ": no journal in %s%s" JOURNAL_DIR ": nothing to undo\n", dir,
			dir[strlen(dir) - 1] == '/' ? "" : "/");
		root_close(r);
		return EXIT_ERROR;
	}
	if (journal_lock(r, &w, err, sizeof(err))) {
		say_error(err);
		root_close(r);
		return EXIT_ERROR;
	}
	if (o->nargs)
		snprintf(name, sizeof(name), "%s", o->args[0]);
	else if (newest(r, name, sizeof(name)))
		goto out_locked;
	if (journal_load(r, name, &j, err, sizeof(err))) {
		say_error(err);
		goto out_locked;
	}
	char cmd[300], jname[300], started[64];
	str_escape(cmd, sizeof(cmd), j.command ? j.command : "?", false);
	str_escape(jname, sizeof(jname), j.name, false);
	str_escape(started, sizeof(started), j.started ? j.started : "?", false);
	printf("latdoc revert: journal %s (%s, %s)\n", jname, cmd, started);
	if (root_read_line(r, "proc/sys/kernel/random/boot_id", boot, sizeof(boot)))
		boot[0] = '\0';
	if (j.boot_id && boot[0] && strcmp(j.boot_id, boot))
		printf("The machine has booted since: runtime values are back by themselves.\n");
	if (j.torn)
		printf("Its last record was cut short (a crash while it was written): the change it "
		       "announced was never made, and the record is cut off.\n");
	if (!j.end)
		printf("The run did not finish (a crash?): undoing what it began.\n");
	struct run run = { .r = r, .w = &w, .out = stdout, .live = root_is_live(r) };
	struct revert_result res;
	if (journal_reopen(&w, &j, err, sizeof(err))) {
		say_error(err);
	} else if (revert_run(&run, &j, o->v[FORCE].set, o->v[CONNECT].set ? o->v[CONNECT].str : NULL,
			      &res)) {
		say_error(run.err);
	} else {
		printf("latdoc revert: %d restored, %d already back, %d refused, %d failed\n",
		       res.restored, res.already, res.refused, res.failed);
		if (res.restored && grub_changed(&j))
			printf("Then run: update-grub (the kernel command line is back from the next "
			       "boot)\n");
		if (res.refused)
			fprintf(stderr, ME ": %d value%s changed since tune wrote %s: kept; --force "
					"restores %s\n",
				res.refused, res.refused == 1 ? " was" : "s were",
				res.refused == 1 ? "it" : "them", res.refused == 1 ? "it" : "them");
		status = res.failed ? EXIT_ERROR : res.refused ? EXIT_FINDINGS : EXIT_CLEAN;
	}
	journal_free(&j);
out_locked:
	journal_close(&w);
	root_close(r);
	return status;
}
