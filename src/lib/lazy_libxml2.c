/* libxml2, loaded when the first domain XML is parsed. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>

#include "lazy.h"

#if LIBXML_VERSION >= 21400
struct lazy_lib lazy_libxml2 = { .soname = "libxml2.so.16", .init = "xmlInitParser" };
#else
struct lazy_lib lazy_libxml2 = { .soname = "libxml2.so.2", .init = "xmlInitParser" };
#endif

xmlParserCtxtPtr xmlNewParserCtxt(void)
{
	LAZY_FN(lazy_libxml2, xmlNewParserCtxt);
	return fn ? fn() : NULL;
}

void xmlFreeParserCtxt(xmlParserCtxtPtr ctxt)
{
	LAZY_FN(lazy_libxml2, xmlFreeParserCtxt);
	if (fn)
		fn(ctxt);
}

void xmlStopParser(xmlParserCtxtPtr ctxt)
{
	LAZY_FN(lazy_libxml2, xmlStopParser);
	if (fn)
		fn(ctxt);
}

xmlDocPtr xmlCtxtReadMemory(xmlParserCtxtPtr ctxt, const char *buffer, int size, const char *url,
			    const char *encoding, int options)
{
	LAZY_FN(lazy_libxml2, xmlCtxtReadMemory);
	return fn ? fn(ctxt, buffer, size, url, encoding, options) : NULL;
}

xmlErrorPtr xmlCtxtGetLastError(void *ctxt)
{
	LAZY_FN(lazy_libxml2, xmlCtxtGetLastError);
	return fn ? fn(ctxt) : NULL;
}

xmlNodePtr xmlDocGetRootElement(const xmlDoc *doc)
{
	LAZY_FN(lazy_libxml2, xmlDocGetRootElement);
	return fn ? fn(doc) : NULL;
}

xmlChar *xmlGetProp(const xmlNode *node, const xmlChar *name)
{
	LAZY_FN(lazy_libxml2, xmlGetProp);
	return fn ? fn(node, name) : NULL;
}

xmlChar *xmlNodeGetContent(const xmlNode *cur)
{
	LAZY_FN(lazy_libxml2, xmlNodeGetContent);
	return fn ? fn(cur) : NULL;
}

void xmlFreeDoc(xmlDocPtr cur)
{
	LAZY_FN(lazy_libxml2, xmlFreeDoc);
	if (fn)
		fn(cur);
}

/* tune's edits of a domain's XML */
xmlNodePtr xmlNewChild(xmlNodePtr parent, xmlNsPtr ns, const xmlChar *name, const xmlChar *content)
{
	LAZY_FN(lazy_libxml2, xmlNewChild);
	return fn ? fn(parent, ns, name, content) : NULL;
}

xmlAttrPtr xmlSetProp(xmlNodePtr node, const xmlChar *name, const xmlChar *value)
{
	LAZY_FN(lazy_libxml2, xmlSetProp);
	return fn ? fn(node, name, value) : NULL;
}

int xmlUnsetProp(xmlNodePtr node, const xmlChar *name)
{
	LAZY_FN(lazy_libxml2, xmlUnsetProp);
	return fn ? fn(node, name) : -1;
}

void xmlUnlinkNode(xmlNodePtr cur)
{
	LAZY_FN(lazy_libxml2, xmlUnlinkNode);
	if (fn)
		fn(cur);
}

void xmlFreeNode(xmlNodePtr cur)
{
	LAZY_FN(lazy_libxml2, xmlFreeNode);
	if (fn)
		fn(cur);
}

void xmlNodeSetContent(xmlNodePtr cur, const xmlChar *content)
{
	LAZY_FN(lazy_libxml2, xmlNodeSetContent);
	if (fn)
		fn(cur, content);
}

void xmlDocDumpMemory(xmlDocPtr cur, xmlChar **mem, int *size)
{
	LAZY_FN(lazy_libxml2, xmlDocDumpMemory);
	if (fn)
		fn(cur, mem, size);
	else
		*mem = NULL;
}

/* xmlFree is a variable that holds libxml2's deallocator: ours calls the
 * library's own, so memory goes back where it came from. */
#ifdef LIBXML_THREAD_ALLOC_ENABLED
#error "libxml2 with per-thread allocators: add a shim for __xmlFree"
#endif

static void free_by_libxml2(void *p)
{
	static xmlFreeFunc *real;
	xmlFreeFunc *f = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
	if (!f) {
		f = lazy_sym(&lazy_libxml2, "xmlFree");
		__atomic_store_n(&real, f, __ATOMIC_RELEASE);
	}
	if (f && *f)
		(*f)(p);
}

xmlFreeFunc xmlFree = free_by_libxml2;
