/* libxml2, loaded when the first domain XML is parsed. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>

#include "lazy.h"

#if LIBXML_VERSION >= 21400
struct lazy_lib lazy_libxml2 = { .soname = "libxml2.so.16" };
#else
struct lazy_lib lazy_libxml2 = { .soname = "libxml2.so.2" };
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
