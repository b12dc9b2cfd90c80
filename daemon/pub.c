/* pub.c — ZeroMQ PUB publisher with a reusable msgpack buffer (pub.h). */
#include "daemon/pub.h"
#include "daemon/runtime/err.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

int tc_pub_open(tc_pub_t *p, const char *endpoint)
{
    memset(p, 0, sizeof *p);
    msgpack_sbuffer_init(&p->buf);
    msgpack_packer_init(&p->pk, &p->buf, msgpack_sbuffer_write);
    if (!endpoint || !*endpoint)
        return 0;
    if (strlen(endpoint) >= sizeof p->endpoint)
        return TC_ERR(-ENAMETOOLONG, "zmq endpoint '%.60s...' is too long", endpoint);
    strcpy(p->endpoint, endpoint);
    p->ctx = zmq_ctx_new();
    if (!p->ctx)
        return TC_ERR(-errno, "zmq context: %s", zmq_strerror(errno));
    p->sock = zmq_socket(p->ctx, ZMQ_PUB);
    int linger = 0;
    if (!p->sock || zmq_setsockopt(p->sock, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
        zmq_bind(p->sock, endpoint) < 0) {
        int e = errno;
        tc_pub_close(p);
        return TC_ERR(-e, "zmq PUB bind %s: %s", endpoint, zmq_strerror(e));
    }
    return 0;
}

void tc_pub_close(tc_pub_t *p)
{
    if (p->sock)
        zmq_close(p->sock);
    if (p->ctx)
        zmq_ctx_term(p->ctx);
    p->sock = p->ctx = NULL;
    msgpack_sbuffer_destroy(&p->buf);
    memset(&p->buf, 0, sizeof p->buf);
}

msgpack_packer *tc_pub_begin(tc_pub_t *p)
{
    msgpack_sbuffer_clear(&p->buf);
    return &p->pk;
}

int tc_pub_send(tc_pub_t *p, const char *topic)
{
    if (!p->sock)
        return 0;
    if (zmq_send(p->sock, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        p->dropped++;
        return 0;
    }
    /* the first frame is queued: the second cannot be refused for lack of room */
    if (zmq_send(p->sock, p->buf.data, p->buf.size, ZMQ_DONTWAIT) < 0) {
        p->dropped++;
        return 0;
    }
    p->sent++;
    return 1;
}

int tc_pk_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    int r = msgpack_pack_str(pk, n);
    return r ? r : msgpack_pack_str_body(pk, s, n);
}

int tc_pk_kv_int(msgpack_packer *pk, const char *key, int64_t v)
{
    int r = tc_pk_str(pk, key);
    return r ? r : msgpack_pack_int64(pk, v);
}

int tc_pk_kv_uint(msgpack_packer *pk, const char *key, uint64_t v)
{
    int r = tc_pk_str(pk, key);
    return r ? r : msgpack_pack_uint64(pk, v);
}

int tc_pk_kv_double(msgpack_packer *pk, const char *key, double v)
{
    int r = tc_pk_str(pk, key);
    return r ? r : msgpack_pack_double(pk, v);
}

int tc_pk_kv_str(msgpack_packer *pk, const char *key, const char *v)
{
    int r = tc_pk_str(pk, key);
    return r ? r : tc_pk_str(pk, v);
}
