package dev.strata.server.metrics;

import dev.strata.server.admin.IngestControl;
import dev.strata.server.admin.IngestInfo;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server's Prometheus registry and the meters the server itself owns: per-timeline LSNs, layer counts and bytes
 * by kind, ingest bytes, records and lag, and the durations of checkpoints, compactions and GC runs. (The page
 * service registers its own request, latency and wait-for-LSN meters in the same registry; redo time comes from
 * {@link TimedPageRedo}.)
 *
 * <p>Per-timeline values are read from the timelines by {@link #refresh()}, which the {@code /metrics} handler
 * calls before each scrape; gauges read the snapshot it leaves, so a scrape costs one pass over the layer maps.
 */
public final class StrataMetrics {
    public static final String[] LAYER_KINDS = {"delta-l0", "delta-l1", "image", "in-memory"};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, TimelineMeters> timelines = new HashMap<>();
    private volatile TenantManager tenants;
    private volatile IngestControl ingest;

    /** Values of one timeline as of the last refresh (gauges read these fields). */
    private static final class Snapshot {
        volatile double lastRecordLsn;
        volatile double diskConsistentLsn;
        volatile double gcCutoffLsn;
        volatile double physicalSize;
        volatile double lagBytes;
        volatile double bytesIngested;
        volatile double recordsIngested;
        final double[] layerCount = new double[LAYER_KINDS.length];
        final double[] layerBytes = new double[LAYER_KINDS.length];
    }

    private record TimelineMeters(Snapshot snapshot, List<Meter> meters) {
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Attaches the sources of per-timeline values (after the engine and ingest are up). */
    public void bind(TenantManager tenants, IngestControl ingest) {
        this.tenants = tenants;
        this.ingest = ingest;
    }

    /** A timer for a storage operation (checkpoint, compact, gc) run on request. */
    public Timer operationTimer(String operation) {
        return Timer.builder("strata_storage_operation").description("Duration of checkpoints, compactions and GC "
                        + "runs")
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
        for (LayerInfo l : tl.layers()) {
            int k = kindIndex(l.kind());
            if (k >= 0) {
                count[k]++;
                bytes[k] += l.sizeBytes();
            }
        }
        System.arraycopy(count, 0, s.layerCount, 0, count.length);
        System.arraycopy(bytes, 0, s.layerBytes, 0, bytes.length);
        IngestControl ic = ingest;
        IngestInfo info = ic == null ? null : ic.status(tl.tenantId(), tl.timelineId());
        if (info != null) {
            s.lagBytes = info.lagBytes();
            s.bytesIngested = Math.max(s.bytesIngested, info.bytesIngested());
            s.recordsIngested = Math.max(s.recordsIngested, info.recordsIngested());
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
        List<Meter> meters = new ArrayList<>();
        meters.add(gauge("strata_last_record_lsn", "End LSN of the last committed WAL record", tags, s,
                x -> x.lastRecordLsn));
        meters.add(gauge("strata_disk_consistent_lsn", "LSN up to which everything is in fsynced layer files", tags, s,
                x -> x.diskConsistentLsn));
        meters.add(gauge("strata_gc_cutoff_lsn", "Reads below this LSN are refused", tags, s, x -> x.gcCutoffLsn));
        meters.add(gauge("strata_timeline_physical_size_bytes", "Bytes of layer files on disk", tags, s,
                x -> x.physicalSize));
        meters.add(gauge("strata_ingest_lag_bytes", "WAL bytes the primary has flushed and Strata has not committed",
                tags, s, x -> x.lagBytes));
        meters.add(FunctionCounter.builder("strata_ingest_bytes", s, x -> x.bytesIngested).tags(tags)
                .description("WAL bytes ingested since the server started").register(registry));
        meters.add(FunctionCounter.builder("strata_ingest_records", s, x -> x.recordsIngested).tags(tags)
                .description("WAL records ingested since the server started").register(registry));
        for (int i = 0; i < LAYER_KINDS.length; i++) {
            int k = i;
            Tags kt = tags.and("kind", LAYER_KINDS[i]);
            meters.add(gauge("strata_layer_count", "Layers in the layer map by kind", kt, s, x -> x.layerCount[k]));
            meters.add(gauge("strata_layer_bytes", "Bytes of layers by kind", kt, s, x -> x.layerBytes[k]));
        }
        return new TimelineMeters(s, meters);
    }

    private Gauge gauge(String name, String help, Tags tags, Snapshot s,
                        java.util.function.ToDoubleFunction<Snapshot> f) {
        return Gauge.builder(name, s, f).description(help).tags(tags).strongReference(true).register(registry);
    }
}
