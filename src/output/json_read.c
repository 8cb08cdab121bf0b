/* Reading back what latdoc's JSON writers wrote (a saved report for diff
 * and report, a host's report for fleet): one way to walk a document. */
#include "json_util.h"

#include <string.h>

json_object *json_at(json_object *doc, const char *path)
{
	char key[128];

	while (doc && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key) || !json_object_is_type(doc, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(doc, key, &doc))
			return NULL;
		path += n + (path[n] == '.');
	}
	return doc;
}

const char *json_string_at(json_object *doc, const char *path)
{
	json_object *v = json_at(doc, path);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}
