/* A domain's XML changed by FIX_LIBVIRT actions. Each action's key is a
 * path in a small grammar, not full XPath:
 *
 *   /domain/devices/disk[target/@dev='hda']/target/@bus
 *
 * steps `name`, `name[@attr='v']` and `name[child/@attr='v']`, and a last
 * step `@attr`. The first match of each step is taken. An empty want
 * removes what the path names (an attribute or an element); another want
 * sets it, making the elements on the way that are missing (with what
 * their predicate says) and, for a last element step, its text. An
 * element named by a child's attribute (a disk by its target's dev) is
 * never made: it must be there. */
#include "tune.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS 16
#define MAX_NAME 64
#define MAX_VALUE 256

struct step {
	char name[MAX_NAME];  /* the element, or the attribute of a last @ step */
	bool attribute;       /* a last @attr step */
	char child[MAX_NAME]; /* [child/@attr='v']; "" for [@attr='v'] */
	char attr[MAX_NAME];  /* the predicate's attribute; "" for none */
	char value[MAX_VALUE];
};

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

static const char *read_name(const char *p, char *out, size_t outsz)
{
	size_t n = 0;
	if (!name_char(*p, true))
		return NULL;
	while (name_char(p[n], n == 0)) {
		if (n + 1 >= outsz)
			return NULL;
		out[n] = p[n];
		n++;
	}
	out[n] = '\0';
	return p + n;
}

static int parse_path(const char *key, struct step *steps, int *count)
{
	const char *p = key;
	int n = 0;

	while (*p) {
		if (*p++ != '/' || n == MAX_STEPS)
			return -EINVAL;
		struct step *s = &steps[n];
		memset(s, 0, sizeof(*s));
		if (*p == '@') {
			if (!(p = read_name(p + 1, s->name, sizeof(s->name))) || *p)
				return -EINVAL;
			s->attribute = true;
			n++;
			break;
		}
		if (!(p = read_name(p, s->name, sizeof(s->name))))
			return -EINVAL;
		if (*p == '[') {
			p++;
			if (*p != '@') {
				if (!(p = read_name(p, s->child, sizeof(s->child))) || *p++ != '/')
					return -EINVAL;
			}
			if (*p++ != '@' || !(p = read_name(p, s->attr, sizeof(s->attr))) || *p++ != '=')
				return -EINVAL;
			char quote = *p++;
			const char *end = quote == '\'' || quote == '"' ? strchr(p, quote) : NULL;
			if (!end || (size_t)(end - p) >= sizeof(s->value) || end[1] != ']')
				return -EINVAL;
			memcpy(s->value, p, (size_t)(end - p));
			s->value[end - p] = '\0';
			p = end + 2;
		}
		n++;
	}
	*count = n;
	return n >= 2 || (n == 1 && !steps[0].attribute) ? 0 : -EINVAL;
}

static bool prop_is(xmlNodePtr node, const char *attr, const char *value)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)attr);
	bool same = v && !strcmp((const char *)v, value);
	if (v)
		xmlFree(v);
	return same;
}

static bool matches(xmlNodePtr node, const struct step *s)
{
	if (node->type != XML_ELEMENT_NODE || strcmp((const char *)node->name, s->name))
		return false;
	if (!s->attr[0])
		return true;
	if (!s->child[0])
		return prop_is(node, s->attr, s->value);
	for (xmlNodePtr c = node->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, s->child) &&
		    prop_is(c, s->attr, s->value))
			return true;
	return false;
}

static xmlNodePtr find_child(xmlNodePtr parent, const struct step *s)
{
	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (matches(c, s))
			return c;
	return NULL;
}

static xmlNodePtr make_child(xmlNodePtr parent, const struct step *s)
{
	xmlNodePtr node = xmlNewChild(parent, NULL, (const xmlChar *)s->name, NULL);
	if (!node || !s->attr[0])
		return node;
	xmlNodePtr holder = node;
	if (s->child[0] && !(holder = xmlNewChild(node, NULL, (const xmlChar *)s->child, NULL)))
		return NULL;
	return xmlSetProp(holder, (const xmlChar *)s->attr, (const xmlChar *)s->value) ? node : NULL;
}

/* One action on DOC. */
static int edit_one(xmlDocPtr doc, const struct fix_action *a, char *err, size_t errsz)
{
	struct step steps[MAX_STEPS];
	int n;
	bool remove = !a->want[0];

	if (!a->key || parse_path(a->key, steps, &n)) {
		snprintf(err, errsz, "'%.200s' is not a path tune understands", a->key ? a->key : "");
		return -EINVAL;
	}
	xmlNodePtr node = xmlDocGetRootElement(doc);
	if (!node || !matches(node, &steps[0])) {
		snprintf(err, errsz, "'%.200s' does not start at this document's root element", a->key);
		return -EINVAL;
	}
	int last_element = steps[n - 1].attribute ? n - 2 : n - 1;
	for (int i = 1; i <= last_element; i++) {
		xmlNodePtr next = find_child(node, &steps[i]);
		if (!next && remove)
			return 0; /* not there: nothing to remove */
		if (!next && steps[i].child[0]) {
			/* a device named by its child (a disk by its target, a
			 * NIC by its MAC) is one that is there: made, it would
			 * be a device of that name alone */
			snprintf(err, errsz, "a %s with %s %s='%.100s' is not in the domain's XML: "
					     "it is not the one the plan was made from",
				 steps[i].name, steps[i].child, steps[i].attr, steps[i].value);
			return -ESTALE;
		}
		if (!next && !(next = make_child(node, &steps[i])))
			return -ENOMEM;
		node = next;
	}
	const struct step *last = &steps[n - 1];
	if (last->attribute) {
		if (remove)
			xmlUnsetProp(node, (const xmlChar *)last->name);
		else if (!xmlSetProp(node, (const xmlChar *)last->name, (const xmlChar *)a->want))
			return -ENOMEM;
		return 0;
	}
	if (last_element == 0) {
		snprintf(err, errsz, "'%.200s' would change the root element itself", a->key);
		return -EINVAL;
	}
	if (remove) {
		xmlUnlinkNode(node);
		xmlFreeNode(node);
	} else {
		xmlNodeSetContent(node, (const xmlChar *)a->want);
	}
	return 0;
}

int domain_edit(const char *xml, size_t len, const struct fix_action *const *edits, size_t n,
		char **out, char *err, size_t errsz)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	xmlChar *mem = NULL;
	int size = 0, e = 0;

	*out = NULL;
	if (!ctxt || len > (size_t)INT32_MAX) {
		xmlFreeParserCtxt(ctxt);
		snprintf(err, errsz, ctxt ? "the domain's XML is too large" : "out of memory");
		return ctxt ? -EFBIG : -ENOMEM;
	}
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *x = xmlCtxtGetLastError(ctxt);
		snprintf(err, errsz, "the domain's XML does not parse: %.200s",
			 x && x->message ? x->message : "unknown error");
		xmlFreeParserCtxt(ctxt);
		return -EINVAL;
	}
	for (size_t i = 0; i < n && !e; i++)
		e = edit_one(doc, edits[i], err, errsz);
	if (!e) {
		xmlDocDumpMemory(doc, &mem, &size);
		if (!mem || size <= 0 || !(*out = strndup((const char *)mem, (size_t)size)))
			e = -ENOMEM;
	}
	if (e == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	if (mem)
		xmlFree(mem);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return e;
}
