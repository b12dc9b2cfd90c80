/* test_subscribe.c — `tickcast subscribe` against a real PUB socket: each message is one
 * JSON line with the msgpack body decoded exactly; malformed messages are skipped with a
 * one-line reason and counted; --count ends it. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "daemon/pub.h"

static void read_file(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = 0;
    fclose(f);
}

Test(subscribe, prints_json_lines_and_skips_malformed_messages, .timeout = 60)
{
    char ep[128], out[128], err[128], cmd[512];
    snprintf(ep, sizeof ep, "ipc:///tmp/tcsub-%d.sock", getpid());
    snprintf(out, sizeof out, "/tmp/tcsub-%d.out", getpid());
    snprintf(err, sizeof err, "/tmp/tcsub-%d.err", getpid());
    tc_pub_t p;
    cr_assert_eq(tc_pub_open(&p, ep), 0);
    snprintf(cmd, sizeof cmd, "%s/tickcast subscribe pred. --endpoint %s --count 3 --seconds 30 >%s 2>%s",
             TC_BIN_DIR, ep, out, err);
    pid_t c = fork();
    if (c == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    /* publish until the subscriber has its three messages (slow joiner: the first ones
     * may go nowhere) */
    int st = -1;
    for (int i = 0; i < 600; i++) {
        /* a single-frame message and a broken body, then a good one */
        zmq_send(p.sock, "pred.BAD", 8, ZMQ_DONTWAIT);
        zmq_send(p.sock, "pred.BAD", 8, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_send(p.sock, "\xc1", 1, ZMQ_DONTWAIT); /* 0xc1: never used in msgpack */
        msgpack_packer *pk = tc_pub_begin(&p);
        msgpack_pack_map(pk, 6);
        tc_pk_kv_uint(pk, "v", 1);
        tc_pk_kv_str(pk, "sym", "A\"B");
        tc_pk_kv_int(pk, "n", -3);
        tc_pk_kv_double(pk, "f", 0.1);
        tc_pk_str(pk, "a");
        msgpack_pack_array(pk, 2);
        msgpack_pack_uint8(pk, 1);
        msgpack_pack_nil(pk);
        tc_pk_kv_uint(pk, "big", 18446744073709551615ull);
        tc_pub_send(&p, "pred.AB");
        tc_pub_send(&p, "other.AB"); /* not subscribed */
        usleep(20000);
        if (waitpid(c, &st, WNOHANG) == c)
            break;
    }
    tc_pub_close(&p);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcast subscribe exit status %d", st);
    char text[8192];
    read_file(out, text, sizeof text);
    const char *want = "{\"topic\":\"pred.AB\",\"msg\":{\"v\":1,\"sym\":\"A\\\"B\",\"n\":-3,"
                       "\"f\":0.10000000000000001,\"a\":[1,null],\"big\":18446744073709551615}}\n";
    cr_assert_eq(strncmp(text, want, strlen(want)), 0, "got: %s", text);
    int lines = 0;
    for (const char *q = text; (q = strchr(q, '\n')); q++)
        lines++;
    cr_assert_eq(lines, 3, "--count 3: %d lines", lines);
    read_file(err, text, sizeof text);
    cr_assert_not_null(strstr(text, "message on 'pred.BAD' has one frame, not two (skipped)"), "%s", text);
    cr_assert_not_null(strstr(text, "message on 'pred.BAD': body is not one msgpack value (skipped)"), "%s", text);
    cr_assert_not_null(strstr(text, "malformed messages skipped"), "%s", text);
    unlink(out);
    unlink(err);
}

Test(subscribe, bad_options_are_one_line_errors)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/tickcast subscribe --count 0 --endpoint ipc:///nonexistent 2>&1", TC_BIN_DIR);
    FILE *f = popen(cmd, "r");
    char line[512] = "";
    cr_assert_not_null(fgets(line, sizeof line, f));
    int st = pclose(f);
    cr_assert_neq(WEXITSTATUS(st), 0);
    cr_assert_str_eq(line, "tickcast subscribe: --count '0' is not a positive whole number\n");
}
