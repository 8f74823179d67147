/* Reading presets from YAML (libyaml) into struct preset: from a file, from a buffer, or by
 * name from the presets embedded in the binary. Every value is checked while reading; the
 * first problem is reported as KS_ECONFIG with "file:line: field: what is wrong", e.g.
 * "generic.yaml:14: limits[2].period: '3 weeks' is not a period like 3 workdays". The format
 * is documented in docs/presets.md. Ownership: out is caller-owned storage; on success it owns
 * everything read (release with preset_release()); on failure it is left empty. */
#ifndef KS_PRESET_PRESET_LOAD_H
#define KS_PRESET_PRESET_LOAD_H

#include <stddef.h>

#include "core/preset.h"
#include "lib/err.h"

/* Reads len bytes of YAML; source_name names it in errors and becomes out->source. */
int preset_load_buffer(const char *text, size_t len, const char *source_name, struct preset *out,
                       struct ks_error *err);

/* Reads a .yaml file; KS_ENOTFOUND when it cannot be opened. */
int preset_load_file(const char *path, struct preset *out, struct ks_error *err);

/* Reads the embedded "presets/<name>.yaml", or the file when name contains '/' or ends in
 * ".yaml"/".yml". KS_ENOTFOUND naming the presets that exist when there is no such preset. */
int preset_load_named(const char *name, struct preset *out, struct ks_error *err);

/* The names of the embedded presets, comma-separated, into out (size bytes). */
void preset_embedded_names(char *out, size_t size);

#endif
