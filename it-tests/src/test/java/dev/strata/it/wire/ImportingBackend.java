package dev.strata.it.wire;

import dev.strata.it.TestPrimary;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.ServerBackend;
import dev.strata.wire.backup.ClusterDirectoryView;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ServerBackend} for tests that imports a primary the way a replication client would start (a base backup
 * taken with stock pg_basebackup from the conninfo), without streaming afterwards: the backup is started once and
 * shut down cleanly by a stock postgres, then copied into a new timeline through the ingest write path.
 */
final class ImportingBackend implements ServerBackend {
    private final TestPrimary tools;
    private final AtomicInteger imports = new AtomicInteger();
    private volatile Timeline defaultTimeline;

    ImportingBackend(TestPrimary tools) {
        this.tools = tools;
    }

    void setDefaultTimeline(Timeline tl) {
        defaultTimeline = tl;
    }

    @Override
    public Timeline createTimelineFromPrimary(Tenant tenant, String timelineId, String conninfo, String slotName)
            throws Exception {
        Path dir = tools.scratchDir("import-" + imports.incrementAndGet());
        String bin = tools.bindir().toString();
        tools.run(List.of("chmod", "700", dir.toString()), false);
        tools.run(List.of(bin + "/pg_basebackup", "-d", conninfo, "-D", dir.toString(), "-X", "fetch", "-c", "fast",
                "--no-sync", "--no-manifest"), true);
        String opts = "-p " + freePort() + " -c listen_addresses='' -c unix_socket_directories=" + dir;
        // -l: without a log file the postmaster keeps pg_ctl's output pipe open and run() never sees EOF
        Path log = tools.scratchDir("import-logs").resolve("import-" + imports.get() + ".log");
        tools.run(List.of(bin + "/pg_ctl", "-D", dir.toString(), "-l", log.toString(), "-o", opts, "-w", "-t", "120",
                "start"), true);
        tools.run(List.of(bin + "/pg_ctl", "-D", dir.toString(), "-m", "fast", "-w", "stop"), true);
        try (ClusterDirectoryView view = ClusterDirectoryView.open(dir)) {
            Timeline tl = tenant.createTimeline(timelineId, view.endOfWalLsn());
            DatadirCopy.copy(view, view.endOfWalLsn(), view.checkpointLsn(), tl);
            tl.setProperty("wal_source", conninfo);
            return tl;
        } finally {
            TestPrimary.deleteTree(dir);
        }
    }

    @Override
    public String primaryConninfo(Timeline timeline) {
        return timeline.properties().get("wal_source");
    }

    @Override
    public Timeline defaultTimeline() {
        return defaultTimeline;
    }

    @Override
    public IngestStatus ingestStatus(Timeline timeline) {
        return new IngestStatus(timeline.properties().get("wal_source"), -1, 0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
