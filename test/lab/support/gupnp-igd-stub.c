/*
 * UPnP IGD port mapping switched off, for GStreamer's whip-client in the NAT lab.
 *
 * Debian 12's simple-whip-client links libsoup 2.4, and webrtcbin loads libnice, which links
 * libgupnp-igd-1.0.so.4 -> libgupnp-1.6 -> libsoup 3: the process aborts with "libsoup2 symbols detected.
 * Using libsoup2 and libsoup3 in the same process is not supported". This library stands in for
 * libgupnp-igd-1.0.so.4 (LD_LIBRARY_PATH, for whip-client only) with the four symbols libnice uses: no IGD
 * thread is ever created, so libnice skips UPnP (the lab has no UPnP router anyway) and ICE is unchanged.
 * No headers needed: GType is an unsigned long on every platform GLib supports.
 */
typedef unsigned long GType;
extern GType g_object_get_type(void);

GType gupnp_simple_igd_get_type(void) { return g_object_get_type(); }
void *gupnp_simple_igd_thread_new(void) { return 0; }
void gupnp_simple_igd_add_port(void) {}
void gupnp_simple_igd_remove_port_local(void) {}
