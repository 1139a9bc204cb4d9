package dev.strata.storage.tenant;

import dev.strata.storage.StorageException;
import dev.strata.storage.layer.LayerFiles;
import dev.strata.storage.layer.TailPool;
import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.redo.PageRedo;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.EngineContext;
import dev.strata.storage.timeline.LocalTimeline;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.TimelineLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The layer engine over one data directory: {@code <dataDir>/tenants/<tenant id>/timelines/<timeline id>/}.
 * Opening loads every tenant and timeline and removes leftovers of interrupted work; background threads then
 * freeze idle in-memory layers, flush frozen ones, compact (every compactionPeriod, and as soon as a flush brings
 * the L0 count to the threshold) and collect garbage (every gcPeriod). A zero period turns that background work
 * off; it still runs on demand through {@link dev.strata.storage.timeline.Timeline#compact()} and
 * {@link dev.strata.storage.timeline.Timeline#gc()}. {@link #close()} flushes what ingest committed.
 */
public final class LocalTenantManager implements TenantManager {
    private static final Logger log = LoggerFactory.getLogger(LocalTenantManager.class);
    static final String TENANTS = "tenants";

    private final Path tenantsDir;
    private final EngineContext ctx;
    private final ExecutorService flushPool;
    private final ExecutorService maintenancePool;
    private final ScheduledExecutorService scheduler;
    private final Map<String, LocalTenant> tenants = new LinkedHashMap<>();
    private boolean closed;

    public LocalTenantManager(Path dataDir, EngineConfig config, PageRedo redo) {
        this.tenantsDir = dataDir.resolve(TENANTS);
        DurableFiles files = new DurableFiles(config.faultInjector(), config.fsync());
        this.flushPool = Executors.newFixedThreadPool(config.backgroundThreads(), threads("strata-flush"));
        this.maintenancePool = Executors.newFixedThreadPool(config.backgroundThreads(), threads("strata-compact"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(threads("strata-tick"));
        this.ctx = new EngineContext(config, LayerFiles.of(config.pageCacheBytes(), config.maxOpenFiles()), redo, files,
                flushPool, maintenancePool, TailPool.shared(config.inMemoryTailBytes()));
        try {
            if (!Files.isDirectory(tenantsDir)) {
                files.createDirectory(tenantsDir, "tenants");
            }
            loadTenants();
        } catch (RuntimeException e) {
            stopThreads();
            throw e;
        }
        schedule(config);
    }

    private void loadTenants() {
        try (Stream<Path> s = Files.list(tenantsDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(DurableFiles.TEMP_SUFFIX)) {
                    TimelineLoader.deleteTree(p);
                } else if (LocalTenant.isTenantDir(p)) {
                    tenants.put(name, LocalTenant.open(ctx, name, p));
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + tenantsDir + ": " + e.getMessage(), e);
        }
    }

    private void schedule(EngineConfig c) {
        long tick = Math.max(10, Math.min(1000, c.checkpointTimeout().toMillis() / 4));
        scheduler.scheduleWithFixedDelay(() -> forEachTimeline(LocalTimeline::freezeIfOld), tick, tick,
                TimeUnit.MILLISECONDS);
        if (ctx.backgroundCompaction()) {
            long p = c.compactionPeriod().toMillis();
            scheduler.scheduleWithFixedDelay(() -> submitEach(LocalTimeline::compactInBackground), p, p,
                    TimeUnit.MILLISECONDS);
        }
        if (isOn(c.gcPeriod())) {
            long p = c.gcPeriod().toMillis();
            scheduler.scheduleWithFixedDelay(() -> submitEach(LocalTimeline::gcInBackground), p, p,
                    TimeUnit.MILLISECONDS);
        }
    }

    private static boolean isOn(Duration d) {
        return !d.isZero() && !d.isNegative();
    }

    private void submitEach(Consumer<LocalTimeline> task) {
        forEachTimeline(t -> maintenancePool.execute(() -> {
            try {
                task.accept(t);
            } catch (RuntimeException e) {
                // Compaction and GC only reorganise data that is already durable: log and try again next period.
                log.error("background work on {} failed", t, e);
            }
        }));
    }

    private void forEachTimeline(Consumer<LocalTimeline> task) {
        for (LocalTenant tenant : tenantList()) {
            for (LocalTimeline t : tenant.localTimelines()) {
                try {
                    task.accept(t);
                } catch (RuntimeException e) {
                    log.error("background work on {} failed", t, e);
                }
            }
        }
    }

    private synchronized List<LocalTenant> tenantList() {
        return new ArrayList<>(tenants.values());
    }

    public EngineContext context() {
        return ctx;
    }

    @Override
    public synchronized LocalTenant createTenant(String tenantId) {
        checkOpen();
        String id = tenantId == null ? Ids.random() : tenantId;
        if (!Ids.isId(id)) {
            throw new IllegalArgumentException("tenant id '" + id + "' is not 32 lowercase hex digits");
        }
        if (tenants.containsKey(id)) {
            throw new StorageException("tenant " + id + " already exists");
        }
        LocalTenant t = LocalTenant.create(ctx, id, tenantsDir.resolve(id));
        tenants.put(id, t);
        return t;
    }

    @Override
    public List<Tenant> tenants() {
        return new ArrayList<>(tenantList());
    }

    @Override
    public synchronized LocalTenant tenant(String tenantId) {
        LocalTenant t = tenants.get(tenantId);
        if (t == null) {
            throw new StorageException("no tenant " + tenantId + " in " + tenantsDir);
        }
        return t;
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("the tenant manager of " + tenantsDir + " is closed");
        }
    }

    /** Flushes every timeline's committed values, waits for running compaction and GC, and stops the threads. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        scheduler.shutdownNow();
        RuntimeException first = null;
        for (LocalTenant t : tenantList()) {
            try {
                t.shutdown(true);
            } catch (RuntimeException e) {
                log.error("closing tenant {} failed", t.tenantId(), e);
                first = first == null ? e : first;
            }
        }
        stopThreads();
        if (first != null) {
            throw first;
        }
    }

    /**
     * Stops without flushing or writing anything, as if the process had died: background threads are interrupted
     * and files released. Crash tests reopen the directory afterwards.
     */
    public void abandon() {
        synchronized (this) {
            closed = true;
        }
        stopThreads();
        for (LocalTenant t : tenantList()) {
            try {
                t.shutdown(false);
            } catch (RuntimeException e) {
                log.debug("releasing tenant {} after abandon", t.tenantId(), e);
            }
        }
    }

    private void stopThreads() {
        scheduler.shutdownNow();
        maintenancePool.shutdownNow();
        flushPool.shutdownNow();
        try {
            maintenancePool.awaitTermination(30, TimeUnit.SECONDS);
            flushPool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
