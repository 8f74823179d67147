/* Lookup in the build-time table of embedded files (a few dozen entries: a linear scan). */
#include "lib/embed.h"

#include <string.h>

#include "lib/banned.h"

const struct embed_file *embed_find(const char *name)
{
    for (const struct embed_file *f = embed_files; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}
