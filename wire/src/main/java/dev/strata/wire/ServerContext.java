package dev.strata.wire;

import dev.strata.storage.timeline.TenantManager;
import dev.strata.wire.auth.AuthConfig;
import dev.strata.wire.pagestream.PageService;
import dev.strata.wire.walsender.ReplicationSlots;
import dev.strata.wire.walsender.WalSegmentRegistry;
import io.netty.handler.ssl.SslContext;

import java.util.concurrent.ExecutorService;

/**
 * Everything the connections of one {@link PgServer} share; built by the server, read by every connection.
 *
 * @param backups       the backup generator, or null when this build has none (backup commands then fail with a
 *                      message saying so)
 * @param commandPool   runs admin commands and backups, off the event loops
 * @param sslContext    TLS, or null when TLS is not configured
 */
public record ServerContext(PgServerConfig config, AuthConfig auth, TenantManager tenants, PageService pageService,
                            ServerBackend backend, BackupSource backups, ExecutorService commandPool,
                            SslContext sslContext, WalSegmentRegistry walSegments,
                            ReplicationSlots slots) {
}
