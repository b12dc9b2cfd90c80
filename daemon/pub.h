/* pub.h — the publishing side of tickcast's ZeroMQ interface (docs/PROTOCOL.md): one PUB
 * socket per stage, two-frame messages (topic, msgpack map with "v" first).
 *
 * A stage builds a body with the packer between tc_pub_begin and tc_pub_send.  Sending
 * never blocks: a PUB socket drops for a subscriber that is behind its high-water mark,
 * and a message ZeroMQ refuses is counted, never retried, so a slow or absent subscriber
 * can never stall the pipeline.
 */
#ifndef TC_DAEMON_PUB_H
#define TC_DAEMON_PUB_H

#include <msgpack.h>
#include <stdint.h>

typedef struct tc_pub {
    void *ctx, *sock;       /* NULL sock: publishing is off, every call is a no-op */
    msgpack_sbuffer buf;
    msgpack_packer pk;
    char endpoint[256];
    uint64_t sent, dropped;
} tc_pub_t;

/* Binds a PUB socket on endpoint ("tcp://127.0.0.1:8471", "ipc:///run/x"); an empty or
 * NULL endpoint makes a publisher that publishes nothing.  Returns 0 or a negative
 * errno with "what endpoint: why" on the error stack. */
int tc_pub_open(tc_pub_t *p, const char *endpoint);
/* Closes the socket without waiting for unsent messages (linger 0).  Safe on a zeroed
 * or already closed publisher. */
void tc_pub_close(tc_pub_t *p);
/* Nonzero when the publisher has a socket. */
static inline int tc_pub_on(const tc_pub_t *p) { return p->sock != NULL; }

/* Starts a body: clears the buffer and returns the packer to write the map into. */
msgpack_packer *tc_pub_begin(tc_pub_t *p);
/* Sends topic and the body written since tc_pub_begin.  Returns 1 sent, 0 dropped
 * (counted in p->dropped: the socket would block, or ZeroMQ refused it). */
int tc_pub_send(tc_pub_t *p, const char *topic);

/* Packer helpers: a str, and a str key followed by a value. */
int tc_pk_str(msgpack_packer *pk, const char *s);
int tc_pk_kv_int(msgpack_packer *pk, const char *key, int64_t v);
int tc_pk_kv_uint(msgpack_packer *pk, const char *key, uint64_t v);
int tc_pk_kv_double(msgpack_packer *pk, const char *key, double v);
int tc_pk_kv_str(msgpack_packer *pk, const char *key, const char *v);

#endif
