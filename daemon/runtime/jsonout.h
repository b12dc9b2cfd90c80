/* jsonout.h — writing JSON text: the one string quoter of every --json output and JSON
 * line tickcast prints. */
#ifndef TC_RUNTIME_JSONOUT_H
#define TC_RUNTIME_JSONOUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes s[0..n) to f as a JSON string: quotes, backslash escapes for '"' and '\\',
 * \u00XX for control bytes and DEL; other bytes as they are (UTF-8 passes through).
 * Can't fail (stream errors show in ferror). */
void tc_json_put_strn(FILE *f, const char *s, size_t n);
/* The same for a NUL-terminated string; NULL writes null. */
void tc_json_put_str(FILE *f, const char *s);

#endif
