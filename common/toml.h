/* TOML to json-c: the C view of toml++ used by the configuration loader. */
#ifndef VIGIL_TOML_H
#define VIGIL_TOML_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/*
 * Parse the TOML file at path into a new json-c tree: tables become objects,
 * arrays arrays, integers int64, floats doubles (nan and inf included),
 * booleans booleans, and dates and times their TOML text as strings. Every
 * node records the line it came from (see toml_line). On failure returns
 * NULL with err set to one line: "PATH: strerror" when the file cannot be
 * read, "PATH:LINE:COL: message" for a syntax error. The caller releases the
 * tree with json_object_put().
 */
struct json_object *toml_parse_file(const char *path, char *err,
	    size_t errlen);

/* The 1-based source line of a node of such a tree; 0 if unknown. */
int	toml_line(struct json_object *node);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_TOML_H */
