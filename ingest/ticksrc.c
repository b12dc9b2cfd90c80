/* ticksrc.c — a tick source by path (ticksrc.h). */
#include "ingest/ticksrc.h"
#include "daemon/runtime/err.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int tc_ticksrc_open(tc_ticksrc_t *s, const char *path)
{
    memset(s, 0, sizeof *s);
    struct stat st;
    if (stat(path, &st) < 0)
        return TC_ERR(-errno, "%s: %s", path, strerror(errno));
    const char *dot = strrchr(path, '.');
    if (S_ISDIR(st.st_mode)) {
        tc_tickdir_opts_t o = {0};
        s->dir = tc_tickdir_open(path, TC_TICKFILE_READ, &o);
    } else if (dot && !strcmp(dot, TC_TICKFILE_EXT)) {
        tc_replay_opts_t o = {0};
        s->rp = tc_replay_open(path, &o);
    } else {
        tc_import_opts_t o = {0};
        s->imp = tc_import_open(path, &o);
    }
    return s->dir || s->rp || s->imp ? 0 : (tc_err_code() ? tc_err_code() : -EIO);
}

int tc_ticksrc_read(tc_ticksrc_t *s, tc_tick_t *out, int max)
{
    return s->dir  ? tc_tickdir_read(s->dir, out, max)
           : s->rp ? tc_replay_read(s->rp, out, max)
                   : tc_import_read(s->imp, out, max);
}

const tc_symbol_t *tc_ticksrc_symbols(tc_ticksrc_t *s, int *ret_n)
{
    if (s->dir)
        return tc_tickdir_symbols(s->dir, ret_n);
    if (s->rp)
        return tc_replay_symbols(s->rp, ret_n);
    *ret_n = 1;
    return tc_import_symbol(s->imp);
}

void tc_ticksrc_close(tc_ticksrc_t *s)
{
    tc_tickdir_close(s->dir);
    tc_replay_close(s->rp);
    tc_import_close(s->imp);
    memset(s, 0, sizeof *s);
}
