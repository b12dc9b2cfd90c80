/* cmd_subscribe.c — `tickcast subscribe`: connects a ZeroMQ SUB socket to tickcast's
 * publishers and prints every message as one JSON line, {"topic": ..., "msg": {...}},
 * the body decoded from msgpack (docs/PROTOCOL.md).  The endpoints default to the
 * configured publishers (infer.zmq_pub; strategy.zmq_pub and monitor.zmq_pub with
 * --all-publishers), so `tickcast subscribe pred.` shows the live predictions. */
#include "tools/cli.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"

#include <errno.h>
#include <getopt.h>
#include <msgpack.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static void json_str(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* msgpack object -> JSON (str keys as they are, others printed as strings). */
static void json_obj(FILE *f, const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: fputs("null", f); break;
    case MSGPACK_OBJECT_BOOLEAN: fputs(o->via.boolean ? "true" : "false", f); break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: fprintf(f, "%llu", (unsigned long long)o->via.u64); break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: fprintf(f, "%lld", (long long)o->via.i64); break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        if (o->via.f64 == o->via.f64 && o->via.f64 - o->via.f64 == 0)
            fprintf(f, "%.17g", o->via.f64);
        else
            fputs("null", f); /* NaN and infinities have no JSON form */
        break;
    case MSGPACK_OBJECT_STR: json_str(f, o->via.str.ptr, o->via.str.size); break;
    case MSGPACK_OBJECT_BIN: fprintf(f, "\"<%u bytes>\"", o->via.bin.size); break;
    case MSGPACK_OBJECT_ARRAY:
        fputc('[', f);
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            if (i)
                fputc(',', f);
            json_obj(f, &o->via.array.ptr[i]);
        }
        fputc(']', f);
        break;
    case MSGPACK_OBJECT_MAP:
        fputc('{', f);
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            if (i)
                fputc(',', f);
            if (kv->key.type == MSGPACK_OBJECT_STR) {
                json_str(f, kv->key.via.str.ptr, kv->key.via.str.size);
            } else {
                char buf[64];
                snprintf(buf, sizeof buf, "key%u", i);
                json_str(f, buf, strlen(buf));
            }
            fputc(':', f);
            json_obj(f, &kv->val);
        }
        fputc('}', f);
        break;
    default: fputs("null", f); break;
    }
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

/* Receives one two-frame message and prints it; 1 printed, 0 nothing, <0 error. */
static int one(void *sock, msgpack_unpacked *u, long *bad)
{
    char topic[256], body[65536];
    int n = zmq_recv(sock, topic, sizeof topic - 1, 0);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : TC_ERR(-errno, "zmq_recv: %s", zmq_strerror(errno));
    topic[n < (int)sizeof topic ? n : (int)sizeof topic - 1] = 0;
    int more = 0;
    size_t ml = sizeof more;
    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
    if (!more) {
        fprintf(stderr, "tickcast subscribe: message on '%s' has one frame, not two (skipped)\n", topic);
        (*bad)++;
        return 0;
    }
    int m = zmq_recv(sock, body, sizeof body, 0);
    for (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml); more; zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml))
        zmq_recv(sock, NULL, 0, 0); /* extra frames: drain */
    size_t off = 0;
    if (m < 0 || m > (int)sizeof body ||
        msgpack_unpack_next(u, body, (size_t)m, &off) != MSGPACK_UNPACK_SUCCESS || off != (size_t)m) {
        fprintf(stderr, "tickcast subscribe: message on '%s': body is not one msgpack value (skipped)\n",
                topic);
        (*bad)++;
        return 0;
    }
    fputs("{\"topic\":", stdout);
    json_str(stdout, topic, strlen(topic));
    fputs(",\"msg\":", stdout);
    json_obj(stdout, &u->data);
    fputs("}\n", stdout);
    fflush(stdout);
    return 1;
}

static int cmd_subscribe(int argc, char **argv)
{
    const char *endpoints[8], *config = NULL;
    int n_ep = 0, all = 0;
    long count = -1;
    double seconds = -1;
    static const struct option opts[] = {
        {"endpoint", required_argument, NULL, 'e'}, {"config", required_argument, NULL, 'c'},
        {"count", required_argument, NULL, 'n'},    {"seconds", required_argument, NULL, 's'},
        {"all-publishers", no_argument, NULL, 'a'}, {0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "e:c:n:s:a", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'e':
            if (n_ep == 8)
                return TC_ERR(-EINVAL, "at most 8 --endpoint");
            endpoints[n_ep++] = optarg;
            break;
        case 'c': config = optarg; break;
        case 'a': all = 1; break;
        case 'n':
            count = strtol(optarg, &end, 10);
            if (*end || count < 1)
                return TC_ERR(-EINVAL, "--count '%s' is not a positive whole number", optarg);
            break;
        case 's':
            seconds = strtod(optarg, &end);
            if (*end || !(seconds > 0))
                return TC_ERR(-EINVAL, "--seconds '%s' is not a positive number", optarg);
            break;
        default: return TC_ERR(-EINVAL, "unknown option (--help)");
        }
    }
    static tc_config_t cfg;
    if (n_ep == 0) {
        if (tc_config_load(&cfg, config) < 0)
            return tc_err_code();
        const char *pubs[3] = {cfg.infer.zmq_pub, all ? cfg.strategy.zmq_pub : "",
                               all ? cfg.monitor.zmq_pub : ""};
        for (int i = 0; i < 3; i++)
            if (pubs[i][0])
                endpoints[n_ep++] = pubs[i];
        if (n_ep == 0)
            return TC_ERR(-EINVAL, "no endpoint: publishing is off in the configuration (--endpoint)");
    }
    void *ctx = zmq_ctx_new(), *sock = zmq_socket(ctx, ZMQ_SUB);
    int r = 0;
    for (int i = 0; i < n_ep && r == 0; i++)
        if (zmq_connect(sock, endpoints[i]) < 0)
            r = TC_ERR(-errno, "connect %s: %s", endpoints[i], zmq_strerror(errno));
    if (optind == argc)
        zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0);
    for (int i = optind; i < argc && r == 0; i++)
        zmq_setsockopt(sock, ZMQ_SUBSCRIBE, argv[i], strlen(argv[i]));
    int tmo = 200;
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int64_t end = seconds > 0 ? tc_clock_mono_ns() + (int64_t)(seconds * 1e9) : INT64_MAX;
    long got = 0, bad = 0;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    while (r == 0 && !stop && (count < 0 || got < count) && tc_clock_mono_ns() < end) {
        int k = one(sock, &u, &bad);
        if (k < 0)
            r = k;
        got += k > 0;
    }
    msgpack_unpacked_destroy(&u);
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    if (bad)
        fprintf(stderr, "tickcast subscribe: %ld malformed messages skipped\n", bad);
    return r < 0 ? r : 0;
}

TC_CLI_COMMAND(subscribe, "print the messages of tickcast's ZeroMQ publishers as JSON lines",
               "tickcast subscribe [TOPIC-PREFIX...] [--endpoint E] [--count N] [--seconds S]\n"
               "  TOPIC-PREFIX        pred., pred.EURUSD, model, ... (default: everything)\n"
               "  --endpoint E        publisher to connect to (repeatable; default: the\n"
               "                      configuration's infer.zmq_pub)\n"
               "  --all-publishers    with no --endpoint: also strategy and monitor\n"
               "  --config FILE       the configuration to take endpoints from\n"
               "  --count N           exit after N messages\n"
               "  --seconds S         exit after S seconds\n"
               "Each line: {\"topic\": \"pred.EURUSD\", \"msg\": {\"v\": 1, ...}}",
               cmd_subscribe);
