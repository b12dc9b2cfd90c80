/* jsonout.c — JSON string output (jsonout.h). */
#include "daemon/runtime/jsonout.h"

#include <string.h>

void tc_json_put_strn(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void tc_json_put_str(FILE *f, const char *s)
{
    if (!s)
        fputs("null", f);
    else
        tc_json_put_strn(f, s, strlen(s));
}
