/* Files embedded in the binary at build time (cmake/embed.cmake): data/, presets/, web/ and
 * SQL migrations. Ownership: everything here is static and read-only. */
#ifndef KS_LIB_EMBED_H
#define KS_LIB_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name;          /* path relative to the source root, e.g. "presets/generic.yaml" */
    const unsigned char *data; /* followed by a NUL not counted in size */
    size_t size;
};

/* The table, ended by an entry whose name is NULL. */
extern const struct embed_file embed_files[];

/* The embedded file with this exact name, or NULL. */
const struct embed_file *embed_find(const char *name);

#endif
