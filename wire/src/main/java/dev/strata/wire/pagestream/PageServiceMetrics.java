package dev.strata.wire.pagestream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The page service's meters, created once so the hot path only increments:
 *
 * <ul>
 *   <li>{@code strata_pageservice_getpage_seconds}: GetPage latency from request parsed to response queued for
 *       writing, a histogram (Prometheus buckets) with p50/p99/p99.9.</li>
 *   <li>{@code strata_pageservice_requests_total{type, result}}: requests by type (exists, nblocks, getpage, dbsize,
 *       get_slru_segment, invalid) and result (ok, error).</li>
 *   <li>{@code strata_pageservice_wait_lsn_seconds}: time requests spent waiting for WAL not yet ingested.</li>
 *   <li>{@code strata_pageservice_connections}: page-stream sessions opened (counter).</li>
 * </ul>
 */
public final class PageServiceMetrics {
    private static final String[] TYPES = {"exists", "nblocks", "getpage", "dbsize", "get_slru_segment", "invalid"};

    private final Timer getPage;
    private final Timer waitLsn;
    private final Counter[] ok = new Counter[TYPES.length];
    private final Counter[] error = new Counter[TYPES.length];
    private final Counter sessions;

    public PageServiceMetrics(MeterRegistry registry) {
        getPage = Timer.builder("strata.pageservice.getpage").description("GetPage latency")
                .publishPercentileHistogram().publishPercentiles(0.5, 0.99, 0.999)
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        waitLsn = Timer.builder("strata.pageservice.wait.lsn").description("Time page requests waited for WAL")
                .publishPercentileHistogram().register(registry);
        for (int i = 0; i < TYPES.length; i++) {
            ok[i] = Counter.builder("strata.pageservice.requests").tag("type", TYPES[i]).tag("result", "ok")
                    .register(registry);
            error[i] = Counter.builder("strata.pageservice.requests").tag("type", TYPES[i]).tag("result", "error")
                    .register(registry);
        }
        sessions = Counter.builder("strata.pageservice.sessions").description("Page-stream sessions opened")
                .register(registry);
    }

    /** Records one finished request. */
    public void request(int tag, boolean success, long startNanos) {
        int i = tag >= 0 && tag < TYPES.length - 1 ? tag : TYPES.length - 1;
        (success ? ok : error)[i].increment();
        if (tag == PageRequest.GET_PAGE && success) {
            getPage.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void waited(long nanos) {
        waitLsn.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void sessionOpened() {
        sessions.increment();
    }
}
