package dev.strata.server.metrics;

import dev.strata.replication.IngestStatus;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.LocalTimeline;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The server's Prometheus registry and the meters the server itself owns: per-timeline LSNs, layer counts and bytes
 * by kind, ingest bytes, records and lag, and the durations of flushes, compactions, image creation, GC runs and
 * redo (background and on request). The page service registers its own request, latency and wait-for-LSN meters in
 * the same registry; {@link TimedPageRedo} adds the redo latency histogram.
 *
 * <p>Per-timeline values are read from the timelines by {@link #refresh()}, which the {@code /metrics} handler
 * calls before each scrape; the meters read the snapshot it leaves, so a scrape costs one pass over the timelines.
 */
public final class StrataMetrics {
    public static final String[] LAYER_KINDS = {"delta-l0", "delta-l1", "image", "in-memory"};
    private static final TimelineStats EMPTY_STATS = new TimelineStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, TimelineMeters> timelines = new HashMap<>();
    private volatile TenantManager tenants;
    private volatile ReplicationService ingest;

    /** Values of one timeline as of the last refresh (the meters read these fields). */
    private static final class Snapshot {
        volatile double lastRecordLsn;
        volatile double diskConsistentLsn;
        volatile double gcCutoffLsn;
        volatile double physicalSize;
        volatile double lagBytes;
        volatile double walBytesReceived;
        volatile TimelineStats stats = EMPTY_STATS;
        final double[] layerCount = new double[LAYER_KINDS.length];
        final double[] layerBytes = new double[LAYER_KINDS.length];
    }

    private record TimelineMeters(Snapshot snapshot, List<Meter> meters) {
    }

    public StrataMetrics() {
        // The process itself: heap, threads, CPU and uptime, for the usual dashboards.
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Attaches the sources of per-timeline values (after the engine and ingest are up). */
    public void bind(TenantManager tenants, ReplicationService ingest) {
        this.tenants = tenants;
        this.ingest = ingest;
    }

    /** A timer for a storage operation (checkpoint, compact, gc) run on request. */
    public Timer operationTimer(String operation) {
        return Timer.builder("strata_storage_operation")
                .description("Duration of checkpoints, compactions and GC runs requested through the APIs")
                .tag("operation", operation).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

    /** Prometheus text (format 0.0.4) after refreshing the per-timeline values. */
    public synchronized String scrape() {
        refresh();
        return registry.scrape();
    }

    /** Re-reads every timeline; registers meters for new timelines and removes those of vanished ones. */
    public synchronized void refresh() {
        TenantManager tm = tenants;
        if (tm == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (Tenant t : tm.tenants()) {
            for (Timeline tl : t.timelines()) {
                String id = t.tenantId() + "/" + tl.timelineId();
                seen.add(id);
                TimelineMeters m = timelines.computeIfAbsent(id, k -> register(t.tenantId(), tl.timelineId()));
                update(m.snapshot(), tl);
            }
        }
        timelines.entrySet().removeIf(e -> {
            if (seen.contains(e.getKey())) {
                return false;
            }
            e.getValue().meters().forEach(registry::remove);
            return true;
        });
    }

    private void update(Snapshot s, Timeline tl) {
        s.lastRecordLsn = tl.lastRecordLsn();
        s.diskConsistentLsn = tl.diskConsistentLsn();
        s.gcCutoffLsn = tl.gcCutoffLsn();
        s.physicalSize = tl.physicalSize();
        double[] count = new double[LAYER_KINDS.length];
        double[] bytes = new double[LAYER_KINDS.length];
        if (tl instanceof LocalTimeline lt) {
            TimelineStats st = lt.stats();
            s.stats = st;
            count[0] = st.l0Layers();
            bytes[0] = st.l0Bytes();
            count[1] = st.l1Layers();
            bytes[1] = st.l1Bytes();
            count[2] = st.imageLayers();
            bytes[2] = st.imageBytes();
            count[3] = st.inMemoryLayers();
            bytes[3] = st.inMemoryBytes();
        } else {
            for (LayerInfo l : tl.layers()) {
                int k = kindIndex(l.kind());
                if (k >= 0) {
                    count[k]++;
                    bytes[k] += l.sizeBytes();
                }
            }
        }
        System.arraycopy(count, 0, s.layerCount, 0, count.length);
        System.arraycopy(bytes, 0, s.layerBytes, 0, bytes.length);
        ReplicationService rs = ingest;
        IngestStatus info = rs == null ? null : rs.status(tl.tenantId(), tl.timelineId());
        if (info != null) {
            s.lagBytes = info.lagBytes();
            s.walBytesReceived = Math.max(s.walBytesReceived, info.bytesIngested());
        }
    }

    private static int kindIndex(String kind) {
        for (int i = 0; i < LAYER_KINDS.length; i++) {
            if (LAYER_KINDS[i].equals(kind)) {
                return i;
            }
        }
        return -1;
    }

    private TimelineMeters register(String tenantId, String timelineId) {
        Snapshot s = new Snapshot();
        Tags tags = Tags.of("tenant_id", tenantId, "timeline_id", timelineId);
        List<Meter> m = new ArrayList<>();
        m.add(gauge("strata_last_record_lsn", "End LSN of the last committed WAL record", tags, s,
                x -> x.lastRecordLsn));
        m.add(gauge("strata_disk_consistent_lsn", "LSN up to which everything is in fsynced layer files", tags, s,
                x -> x.diskConsistentLsn));
        m.add(gauge("strata_gc_cutoff_lsn", "Reads below this LSN are refused", tags, s, x -> x.gcCutoffLsn));
        m.add(gauge("strata_timeline_physical_size_bytes", "Bytes of layer files on disk", tags, s,
                x -> x.physicalSize));
        m.add(gauge("strata_ingest_lag_bytes", "WAL bytes the primary has flushed and Strata has not committed",
                tags, s, x -> x.lagBytes));
        for (int i = 0; i < LAYER_KINDS.length; i++) {
            int k = i;
            Tags kt = tags.and("kind", LAYER_KINDS[i]);
            m.add(gauge("strata_layer_count", "Layers in the layer map by kind", kt, s, x -> x.layerCount[k]));
            m.add(gauge("strata_layer_bytes", "Bytes of layers by kind", kt, s, x -> x.layerBytes[k]));
        }
        m.add(counter("strata_ingest_wal_bytes", "WAL bytes received from the primary since the server started",
                tags, s, x -> x.walBytesReceived));
        m.add(counter("strata_ingest_records", "WAL records committed to the timeline since it was opened", tags, s,
                x -> x.stats.recordsIngested()));
        m.add(counter("strata_ingest_value_bytes", "Bytes of values put by ingest since the timeline was opened",
                tags, s, x -> x.stats.bytesIngested()));
        m.add(counter("strata_compacted_bytes", "Bytes of L0 files compacted into L1 files", tags, s,
                x -> x.stats.compactedBytes()));
        m.add(counter("strata_image_pages_created", "Values written into new image layers", tags, s,
                x -> x.stats.imagePagesCreated()));
        m.add(counter("strata_gc_layers_removed", "Layer files removed by GC", tags, s,
                x -> x.stats.gcLayersRemoved()));
        m.add(timer("strata_flush", "In-memory layers written to L0 files", tags, s, x -> x.stats.flushes(),
                x -> x.stats.flushNanos()));
        m.add(timer("strata_compaction", "L0 to L1 compactions, in the background and on request", tags, s,
                x -> x.stats.compactions(), x -> x.stats.compactionNanos()));
        m.add(timer("strata_image_creation", "Image layers written", tags, s, x -> x.stats.imageLayersCreated(),
                x -> x.stats.imageCreationNanos()));
        m.add(timer("strata_gc", "Garbage collection runs, in the background and on request", tags, s,
                x -> x.stats.gcRuns(), x -> x.stats.gcNanos()));
        m.add(timer("strata_read_redo", "Reads of this timeline that applied WAL records through the redo", tags, s,
                x -> x.stats.redoCount(), x -> x.stats.redoNanos()));
        return new TimelineMeters(s, m);
    }

    private Gauge gauge(String name, String help, Tags tags, Snapshot s, ToDoubleFunction<Snapshot> f) {
        return Gauge.builder(name, s, f).description(help).tags(tags).strongReference(true).register(registry);
    }

    private FunctionCounter counter(String name, String help, Tags tags, Snapshot s, ToDoubleFunction<Snapshot> f) {
        return FunctionCounter.builder(name, s, f).description(help).tags(tags).register(registry);
    }

    private FunctionTimer timer(String name, String help, Tags tags, Snapshot s, ToLongFunction<Snapshot> count,
                                ToDoubleFunction<Snapshot> nanos) {
        return FunctionTimer.builder(name, s, count, nanos, TimeUnit.NANOSECONDS).description(help).tags(tags)
                .register(registry);
    }
}
