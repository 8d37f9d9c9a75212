/*
 * web_bridge — what the web surface's WebSocket carries, decided without
 * sockets: each WebSocket message is one OSC packet, exactly as a UDP
 * client would send it, and is either forwarded to the daemon's OSC port
 * (the same dispatcher, validation and /fail reasons as every controller)
 * or, for the page's own `/web/...` requests (the terrain's picture),
 * answered by the web thread. Replies and /notify updates come back as
 * OSC packets too. Also the token a page must show beyond loopback.
 *
 * Threads: any non-RT thread (pure functions, no shared state).
 */
#ifndef TERRAIND_WEB_BRIDGE_H
#define TERRAIND_WEB_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "web_picture.h"

enum {
	WEB_TOKEN_MAX = 128,    /* http.token, and the generated one (32 hex digits) */
	WEB_PACKET_MAX = 65507, /* what one UDP datagram to the OSC port can carry */
};

typedef enum web_route {
	WEB_ROUTE_OSC,     /* forward to the OSC port */
	WEB_ROUTE_PICTURE, /* /web/picture c0 [c1 c2]: send the terrain's picture of these channels */
	WEB_ROUTE_FAIL,    /* answer /fail <address> <reason> (set in the arguments) */
} web_route;

/* Where a packet from the page goes. For WEB_ROUTE_PICTURE, channels gets
 * the latent channels (channels[1] = -1 for one); for WEB_ROUTE_FAIL,
 * address and reason get the /fail's arguments. Packets that are not
 * /web/... go to the OSC port unread: the dispatcher judges them. */
web_route web_bridge_route(const void *data, size_t size, int channels[3], char *address, size_t address_len,
                           char *reason, size_t reason_len);

/* Serialises `/fail address reason` (what osc.c sends) into a new buffer,
 * after `headroom` free bytes as below;
 * NULL when out of memory. The caller frees it. */
unsigned char *web_bridge_fail_packet(const char *address, const char *reason, size_t headroom, size_t *size);
/* Serialises `/web/picture version width height control_dim latent_dim
 * min0 max0 min1 max1 ... rgb` (int32s, a float pair of bounds per control
 * axis, then a blob of width × height × 3 RGB bytes, row 0 at the top)
 * into a new buffer with `headroom` free bytes before it (what the
 * WebSocket library writes its header into); returns the buffer (the
 * packet starts at buffer + headroom; NULL when out of memory). */
unsigned char *web_bridge_picture_packet(const web_picture_info *info, int width, int height, const unsigned char *rgb,
                                         size_t headroom, size_t *size);

/* Serialises `/web/labels version name x y name x y ...` (an int32, then
 * a string and two floats per label of the terrain, on its first two
 * axes; none when it has none), sent after each picture so that the page
 * shows the labels of the terrain it draws. Buffer and headroom as above. */
unsigned char *web_bridge_labels_packet(const web_picture_info *info, size_t headroom, size_t *size);

/* A new random token: 32 hex digits from the kernel's generator. -1 with
 * a sentence if it cannot be read. */
int web_token_generate(char *out, size_t len, char *err, size_t errlen);
/* Whether a page may connect: no token is needed when `expected` is empty
 * (loopback without http.token); otherwise `given` (NULL when absent) must
 * be it, compared in constant time. */
int web_token_accepts(const char *expected, const char *given);
/* Whether a WebSocket handshake may come from where it says: a browser
 * names the page's site in Origin, which must be the daemon's own (`host`,
 * the Host header), or any other site open in the same browser could play
 * the daemon (cross-site WebSocket hijacking); clients that are not
 * browsers send no Origin (NULL). Without a token, Host must also be
 * loopback (localhost, 127.x.y.z, [::1]), so that a site whose name is made
 * to point at 127.0.0.1 (DNS rebinding) is refused too. */
int web_origin_allowed(const char *origin, const char *host, int token_set);

#endif
