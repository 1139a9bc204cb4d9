package dev.strata.bench.wire;

import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The same relation as {@link BenchStorage} (same pages, same ids) in a real layer engine, written through the
 * ingest path and flushed to a layer file, for GetPage figures that include the engine's read path.
 */
final class EngineStorage implements AutoCloseable {
    final LocalTenantManager tenants;
    private final Path dir;

    EngineStorage(BenchStorage pages) throws IOException {
        dir = Files.createTempDirectory("strata-bench-wire-");
        tenants = new LocalTenantManager(dir, new EngineConfig(), new JavaPageRedo());
        Tenant t = tenants.createTenant(BenchStorage.TENANT);
        Timeline tl = t.createTimeline(BenchStorage.TIMELINE, BenchStorage.LSN);
        DatadirModification mod = new DatadirModification(tl);
        mod.begin(BenchStorage.LSN);
        mod.createDatabase(1663, BenchStorage.REL.dbNode());
        mod.createRel(BenchStorage.REL);
        for (int b = 0; b < pages.pageCount(); b++) {
            mod.putRelImage(BenchStorage.REL, b, pages.page(b));
        }
        mod.commit(BenchStorage.LSN - 24);
        tl.checkpoint();
    }

    @Override
    public void close() throws IOException {
        tenants.close();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
