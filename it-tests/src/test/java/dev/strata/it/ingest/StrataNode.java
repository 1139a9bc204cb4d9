package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Strata's storage and replication in this JVM, over a data directory: the layer engine with Java redo and the
 * replication service. Small layers (4 MiB) and a short checkpoint timeout make the durable LSN move during a test.
 */
final class StrataNode implements AutoCloseable {
    final Path dataDir;
    final LocalTenantManager tenants;
    final ReplicationService replication;
    private final boolean ownsDir;

    StrataNode(Path dataDir) {
        this(dataDir, false);
    }

    private StrataNode(Path dataDir, boolean ownsDir) {
        this.dataDir = dataDir;
        this.ownsDir = ownsDir;
        this.tenants = new LocalTenantManager(dataDir, config(), new JavaPageRedo());
        this.replication = new ReplicationService(tenants);
    }

    static EngineConfig config() {
        return new EngineConfig().checkpointDistance(4 << 20).checkpointTimeout(Duration.ofSeconds(2))
                .compactionPeriod(Duration.ofSeconds(5));
    }

    /** A node over a new temporary directory, removed again by {@link #close()}. */
    static StrataNode inTemp() throws IOException {
        return new StrataNode(Files.createTempDirectory("strata-ingest-"), true);
    }

    @Override
    public void close() {
        replication.close();
        tenants.close();
        if (ownsDir) {
            TestPrimary.deleteTree(dataDir);
        }
    }
}
