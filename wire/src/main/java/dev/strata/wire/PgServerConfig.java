package dev.strata.wire;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the pg port.
 *
 * @param host                where to listen (default 127.0.0.1)
 * @param port                TCP port (default 6400; 0 picks a free one)
 * @param waitLsnTimeout      how long a page request or backup waits for WAL not yet ingested (default 300 s)
 * @param maxInFlight         page requests of one connection executing or waiting at once (default 32)
 * @param maxQueued           page requests of one connection read ahead before reading pauses (default 1024)
 * @param pageReadThreads     threads executing page requests that do not run inline (default: cores, at least 2)
 * @param commandThreads      admin commands and backups running at once (default 16)
 * @param ioThreads           Netty event loops (0: Netty's default, twice the cores)
 * @param maxConnections      connections at once (default 1000)
 * @param maxMessageLength    largest frontend message after authentication (default 1 MiB)
 * @param inlineReads         run a page read on the connection's event loop when its LSN is ingested and nothing
 *                            else of that connection is queued: saves two thread hand-offs per request at depth 1
 * @param authTimeout         time allowed from connect to completed authentication (default 60 s)
 * @param tlsCertificate      PEM certificate chain for TLS, or null for no TLS
 * @param tlsPrivateKey       PEM PKCS#8 private key for TLS, or null
 */
public record PgServerConfig(String host, int port, Duration waitLsnTimeout, int maxInFlight, int maxQueued,
                             int pageReadThreads, int commandThreads, int ioThreads, int maxConnections,
                             int maxMessageLength, boolean inlineReads, Duration authTimeout, Path tlsCertificate,
                             Path tlsPrivateKey) {
    public static final int DEFAULT_PORT = 6400;

    public PgServerConfig {
        if (maxInFlight < 1 || maxQueued < maxInFlight) {
            throw new IllegalArgumentException("need 1 <= maxInFlight (" + maxInFlight + ") <= maxQueued ("
                    + maxQueued + ")");
        }
        if ((tlsCertificate == null) != (tlsPrivateKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a private key");
        }
    }

    public static PgServerConfig defaults() {
        return new PgServerConfig("127.0.0.1", DEFAULT_PORT, Duration.ofSeconds(300), 32, 1024,
                Math.max(2, Runtime.getRuntime().availableProcessors()), 16, 0, 1000, 1 << 20, true,
                Duration.ofSeconds(60), null, null);
    }

    public PgServerConfig withListen(String newHost, int newPort) {
        return new PgServerConfig(newHost, newPort, waitLsnTimeout, maxInFlight, maxQueued, pageReadThreads,
                commandThreads, ioThreads, maxConnections, maxMessageLength, inlineReads, authTimeout,
                tlsCertificate, tlsPrivateKey);
    }

    public PgServerConfig withWaitLsnTimeout(Duration timeout) {
        return new PgServerConfig(host, port, timeout, maxInFlight, maxQueued, pageReadThreads, commandThreads,
                ioThreads, maxConnections, maxMessageLength, inlineReads, authTimeout, tlsCertificate,
                tlsPrivateKey);
    }

    public PgServerConfig withPipeline(int newMaxInFlight, int newMaxQueued, boolean newInlineReads) {
        return new PgServerConfig(host, port, waitLsnTimeout, newMaxInFlight, newMaxQueued, pageReadThreads,
                commandThreads, ioThreads, maxConnections, maxMessageLength, newInlineReads, authTimeout,
                tlsCertificate, tlsPrivateKey);
    }

    public PgServerConfig withLimits(int newMaxConnections, int newMaxMessageLength, Duration newAuthTimeout) {
        return new PgServerConfig(host, port, waitLsnTimeout, maxInFlight, maxQueued, pageReadThreads,
                commandThreads, ioThreads, newMaxConnections, newMaxMessageLength, inlineReads, newAuthTimeout,
                tlsCertificate, tlsPrivateKey);
    }

    public PgServerConfig withThreads(int newIoThreads, int newPageReadThreads, int newCommandThreads) {
        return new PgServerConfig(host, port, waitLsnTimeout, maxInFlight, maxQueued, newPageReadThreads,
                newCommandThreads, newIoThreads, maxConnections, maxMessageLength, inlineReads, authTimeout,
                tlsCertificate, tlsPrivateKey);
    }

    public PgServerConfig withTls(Path certificate, Path privateKey) {
        return new PgServerConfig(host, port, waitLsnTimeout, maxInFlight, maxQueued, pageReadThreads,
                commandThreads, ioThreads, maxConnections, maxMessageLength, inlineReads, authTimeout, certificate,
                privateKey);
    }
}
