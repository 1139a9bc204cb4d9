package dev.strata.server.config;

import java.net.InetSocketAddress;

/**
 * A listen address written {@code HOST:PORT} ({@code [v6addr]:PORT} for IPv6). Port 0 asks the operating system for a
 * free port (tests and the demo use it; the bound port is then read back from the running server).
 */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("a listen address needs a host, e.g. 127.0.0.1:6400");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 0..65535");
        }
    }

    /** Parses {@code HOST:PORT}; fails with a message naming the text and the expected form. */
    public static HostPort parse(String text) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("not a listen address: '" + text + "' (expected HOST:PORT, e.g. "
                    + "127.0.0.1:6400)");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new HostPort(host, Integer.parseInt(t.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a listen address: '" + text + "' (the port is not a number)", e);
        }
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
