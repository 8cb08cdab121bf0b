/* A diff as JSON: docs/JSON.md, "latdoc diff --json". */
#include "render.h"

#include <math.h>
#include <string.h>

#include "../output/json_util.h"
#include "../output/output.h"
#include "version.h"

static json_object *side(const struct diff_side *s)
{
	json_object *o = json_object_new_object(), *host = json_at(s->doc, "host");
	json_add(o, "input", json_object_new_string(s->input));
	json_add(o, "kind", json_object_new_string(s->kind));
	json_add(o, "host", host ? json_object_get(host) : NULL);
	return o;
}

static json_object *worse(char w)
{
	return w ? json_object_new_string(w == 'a' ? "a" : "b") : NULL;
}

static json_object *row(const struct diff_row *r)
{
	json_object *o = json_object_new_object();
	if (r->section == DIFF_FINDING) {
		json_add(o, "id", json_object_new_string(r->key));
		json_add(o, "subject", json_str_or_null(r->subject));
		json_add(o, "title", json_object_new_string(r->label));
		json_add(o, "a", json_str_or_null(r->a));
		json_add(o, "b", json_str_or_null(r->b));
	} else if (r->section == DIFF_FACT) {
		json_add(o, "key", json_object_new_string(r->key));
		json_add(o, "label", json_object_new_string(r->label));
		json_add(o, "a", json_str_or_null(r->a));
		json_add(o, "b", json_str_or_null(r->b));
		json_add(o, "check", json_str_or_null(r->check));
	} else {
		json_add(o, "key", json_object_new_string(r->key));
		json_add(o, "label", json_object_new_string(r->label));
		json_add(o, "unit", json_object_new_string(r->unit));
		json_add(o, "a", json_object_new_double(r->va));
		json_add(o, "b", json_object_new_double(r->vb));
		json_add(o, "ratio", isfinite(r->ratio) ? json_object_new_double(r->ratio) : NULL);
		json_add(o, "matters", json_object_new_boolean(r->matters));
	}
	json_add(o, "worse", worse(r->worse));
	return o;
}

int output_diff_json(FILE *out, const struct diff_side *a, const struct diff_side *b,
		     const struct diff *d)
{
	json_object *o = json_object_new_object(), *notes = json_object_new_array();
	json_object *sec[3] = { json_object_new_array(), json_object_new_array(), json_object_new_array() };

	json_add(o, "schema", json_object_new_int(JSON_SCHEMA));
	json_add(o, "version", json_object_new_string(LATDOC_VERSION));
	json_add(o, "a", side(a));
	json_add(o, "b", side(b));
	json_add(o, "differs", json_object_new_boolean(diff_matters(d)));
	for (int i = 0; i < 2; i++)
		if (d->note[i][0])
			json_object_array_add(notes, json_object_new_string(d->note[i]));
	json_add(o, "notes", notes);
	for (size_t i = 0; i < d->count; i++)
		json_object_array_add(sec[d->rows[i].section], row(&d->rows[i]));
	json_add(o, "findings", sec[DIFF_FINDING]);
	json_add(o, "facts", sec[DIFF_FACT]);
	json_add(o, "measurements", sec[DIFF_MEASUREMENT]);
	return json_write(out, o);
}
