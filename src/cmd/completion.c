/* latdoc completion bash|zsh: the shell completion scripts, written from
 * the command and option tables, so they cannot drift from the parser.
 * `make install` installs both. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* The words an operand of C may be: for help, the commands themselves. */
static void operand_words(const struct command *c, char *buf, size_t bufsz)
{
	size_t n = 0;

	buf[0] = '\0';
	if (c->run == cmd_help) {
		for (size_t i = 0; i < commands_count && n < bufsz; i++) {
			int w = snprintf(buf + n, bufsz - n, "%s%s", i ? " " : "", commands[i].name);
			n += w > 0 ? (size_t)w : 0;
		}
	} else if (c->operand_words) {
		snprintf(buf, bufsz, "%s", c->operand_words);
	}
}

static void bash_value(FILE *out, const struct opt *o)
{
	fprintf(out, "\t\t--%s)", o->name);
	switch (o->type == OPT_CHOICE ? COMPLETE_NONE : o->complete) {
	case COMPLETE_FILE:
		fprintf(out, " COMPREPLY=($(compgen -f -- \"$cur\"));;\n");
		return;
	case COMPLETE_DIR:
		fprintf(out, " COMPREPLY=($(compgen -d -- \"$cur\"));;\n");
		return;
	case COMPLETE_HOST:
		fprintf(out, " COMPREPLY=($(compgen -A hostname -- \"$cur\"));;\n");
		return;
	case COMPLETE_NONE:
		break;
	}
	if (o->type == OPT_CHOICE)
		fprintf(out, " COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"));;\n", o->choices);
	else
		fprintf(out, " COMPREPLY=();;\n"); /* a number or free text */
}

static void bash(FILE *out)
{
	char words[512];

	fprintf(out, "# bash completion for latdoc, written by `latdoc completion bash`\n"
		     "_latdoc() {\n"
		     "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
		     "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
		     "\t\tCOMPREPLY=($(compgen -W \"");
	for (size_t i = 0; i < commands_count; i++)
		fprintf(out, "%s%s", i ? " " : "", commands[i].name);
	fprintf(out, "\" -- \"$cur\"))\n\t\treturn\n\tfi\n\tcase ${COMP_WORDS[1]} in\n");
	for (size_t i = 0; i < commands_count; i++) {
		const struct command *c = &commands[i];
		const struct opt_table *t = c->options;
		fprintf(out, "\t%s)\n\t\tcase $prev in\n", c->name);
		for (size_t j = 0; j < t->count; j++) {
			if (t->opts[j].type == OPT_FLAG)
				continue;
			bash_value(out, &t->opts[j]);
			if (t->opts[j].short_name) {
				fprintf(out, "\t\t-%c) ", t->opts[j].short_name);
				fprintf(out, "COMPREPLY=($(compgen -%c -- \"$cur\"));;\n",
					t->opts[j].complete == COMPLETE_DIR ? 'd' : 'f');
			}
		}
		fprintf(out, "\t\t*)\n\t\t\tif [ \"${cur#-}\" = \"$cur\" ]; then\n");
		operand_words(c, words, sizeof(words));
		if (c->operand_complete == COMPLETE_FILE)
			fprintf(out, "\t\t\t\tCOMPREPLY=($(compgen -f -W \"%s\" -- \"$cur\"))\n", words);
		else if (*words)
			fprintf(out, "\t\t\t\tCOMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n", words);
		else if (c->operand_complete == COMPLETE_HOST)
			fprintf(out, "\t\t\t\tCOMPREPLY=($(compgen -A hostname -- \"$cur\"))\n");
		else
			fprintf(out, "\t\t\t\tCOMPREPLY=()\n");
		fprintf(out, "\t\t\telse\n\t\t\t\tCOMPREPLY=($(compgen -W \"");
		for (size_t j = 0; j < t->count; j++)
			fprintf(out, "--%s ", t->opts[j].name);
		fprintf(out, "--help\" -- \"$cur\"))\n\t\t\tfi;;\n\t\tesac;;\n");
	}
	fprintf(out, "\tesac\n}\ncomplete -F _latdoc latdoc\n");
}

/* Help text inside zsh's [...] and '...': its first clause, with the
 * characters _arguments gives a meaning escaped. */
static void zsh_text(FILE *out, const char *help)
{
	size_t n = strcspn(help, ";(:");
	while (n && help[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++) {
		char ch = help[i];
		if (ch == '\'')
			fputs("'\\''", out);
		else if (ch == '[' || ch == ']' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else
			fputc(ch, out);
	}
}

static void zsh_action(FILE *out, const struct opt *o)
{
	if (o->type == OPT_CHOICE)
		fprintf(out, ":%s:(%s)", o->arg, o->choices);
	else if (o->complete == COMPLETE_DIR)
		fprintf(out, ":%s:_files -/", o->arg);
	else if (o->complete == COMPLETE_FILE)
		fprintf(out, ":%s:_files", o->arg);
	else if (o->complete == COMPLETE_HOST)
		fprintf(out, ":%s:_hosts", o->arg);
	else if (o->type != OPT_FLAG)
		fprintf(out, ":%s: ", o->arg);
}

static void zsh(FILE *out)
{
	char words[512];

	fprintf(out, "#compdef latdoc\n# zsh completion for latdoc, written by `latdoc completion zsh`\n"
		     "_latdoc() {\n\tlocal line state\n\tlocal -a cmds\n\tcmds=(\n");
	for (size_t i = 0; i < commands_count; i++) {
		fprintf(out, "\t\t'%s:", commands[i].name);
		zsh_text(out, commands[i].summary);
		fprintf(out, "'\n");
	}
	fprintf(out, "\t)\n\t_arguments -C '1: :->cmds' '*:: :->args'\n\tcase $state in\n"
		     "\tcmds) _describe 'command' cmds ;;\n\targs)\n\t\tcase $line[1] in\n");
	for (size_t i = 0; i < commands_count; i++) {
		const struct command *c = &commands[i];
		const struct opt_table *t = c->options;
		fprintf(out, "\t\t%s) _arguments \\\n", c->name);
		for (size_t j = 0; j < t->count; j++) {
			const struct opt *o = &t->opts[j];
			if (o->short_name && o->repeat)
				fprintf(out, "\t\t\t'*'{-%c,--%s}'[", o->short_name, o->name);
			else if (o->short_name)
				fprintf(out, "\t\t\t'(-%c --%s)'{-%c,--%s}'[", o->short_name, o->name,
					o->short_name, o->name);
			else
				fprintf(out, "\t\t\t'%s--%s[", o->repeat ? "*" : "", o->name);
			zsh_text(out, o->help);
			fputc(']', out);
			zsh_action(out, o);
			fprintf(out, "' \\\n");
		}
		operand_words(c, words, sizeof(words));
		if (c->operand_complete == COMPLETE_FILE)
			fprintf(out, "\t\t\t'*:input:_files' \\\n");
		else if (*words)
			fprintf(out, "\t\t\t'1:%s:(%s)' \\\n", c->operands, words);
		else if (c->operand_complete == COMPLETE_HOST)
			fprintf(out, "\t\t\t'1:host:_hosts' \\\n");
		fprintf(out, "\t\t\t'(-h --help)'{-h,--help}'[show this help]' ;;\n");
	}
	fprintf(out, "\t\tesac ;;\n\tesac\n}\n_latdoc \"$@\"\n");
}

int cmd_completion(const struct opt_result *o)
{
	if (o->nargs != 1 || (strcmp(o->args[0], "bash") && strcmp(o->args[0], "zsh"))) {
		fprintf(stderr, "latdoc completion: say which shell: bash or zsh\n");
		return EXIT_ERROR;
	}
	if (!strcmp(o->args[0], "bash"))
		bash(stdout);
	else
		zsh(stdout);
	return fflush(stdout) ? EXIT_ERROR : EXIT_CLEAN;
}
