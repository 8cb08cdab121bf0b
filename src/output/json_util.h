/* Small pieces shared by the JSON writers. */
#ifndef LATDOC_JSON_UTIL_H
#define LATDOC_JSON_UTIL_H

#include <json-c/json.h>

#include "../facts/facts.h"

/* "" is unknown: null */
json_object *json_str_or_null(const char *s);
void json_add(json_object *o, const char *key, json_object *v);

json_object *json_virt(const struct facts *f);
json_object *json_guest(const struct facts *f);

#endif
