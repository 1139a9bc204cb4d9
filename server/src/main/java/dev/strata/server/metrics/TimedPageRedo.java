package dev.strata.server.metrics;

import dev.strata.storage.key.Key;
import dev.strata.storage.redo.PageRedo;
import dev.strata.storage.value.VersionedValue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;

/**
 * A {@link PageRedo} that measures the one it wraps: time per reconstruction ({@code strata_wal_redo_seconds}),
 * records applied per reconstruction ({@code strata_wal_redo_records}) and failures
 * ({@code strata_wal_redo_errors_total}).
 */
public final class TimedPageRedo implements PageRedo {
    private final PageRedo delegate;
    private final Timer time;
    private final DistributionSummary records;
    private final Counter errors;

    public TimedPageRedo(PageRedo delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.time = Timer.builder("strata_wal_redo").description("Time to rebuild one value from its base image and "
                        + "records").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1000)).maximumExpectedValue(Duration.ofSeconds(1))
                .register(registry);
        this.records = DistributionSummary.builder("strata_wal_redo_records")
                .description("Records applied per reconstruction").publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(10_000.0).register(registry);
        this.errors = Counter.builder("strata_wal_redo_errors").description("Reconstructions that failed")
                .register(registry);
    }

    @Override
    public byte[] reconstruct(Key key, long lsn, byte[] baseImage, long baseLsn, List<VersionedValue> recs) {
        long start = System.nanoTime();
        try {
            return delegate.reconstruct(key, lsn, baseImage, baseLsn, recs);
        } catch (RuntimeException e) {
            errors.increment();
            throw e;
        } finally {
            time.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            records.record(recs.size());
        }
    }
}
