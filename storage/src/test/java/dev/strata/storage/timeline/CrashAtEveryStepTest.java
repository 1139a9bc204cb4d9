package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * For each of a flush, an L0 → L1 compaction with image creation, and a GC: runs the operation once to count its
 * durable steps, then for every step k replays it on a fresh copy of the same directory, dies before step k,
 * reopens and checks every key at every record LSN against the values written; then runs the operation again to
 * completion and checks again.
 */
class CrashAtEveryStepTest {
    @TempDir
    Path root;

    private static final RelTag REL = new RelTag(1663, 5, 16384, 0);
    private static final int KEYS = 40;

    private String tenantId;
    private String timelineId;

    private static EngineConfig config(EngineCrashTest.CrashInjector inj) {
        return EngineModelTest.config().checkpointDistance(1 << 20).compactionTargetSize(96 << 10).gcHorizon(50)
                .imageCreationThreshold(1)
                .faultInjector(inj);
    }

    private static Key key(int i) {
        return Key.relBlock(REL, i);
    }

    /** Record r puts an image for every key at multiples of 4, else a record appending "+r". */
    private static Value value(int r, int k) {
        byte[] b = ((r % 4 == 0 ? "I" : "+") + r + "." + k).getBytes(StandardCharsets.UTF_8);
        return r % 4 == 0 ? Value.image(b) : Value.pgRecord(b, false);
    }

    private static String expected(int records, int k) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < records; r++) {
            if (r % 4 == 0) {
                sb.setLength(0);
                sb.append('I');
            } else {
                sb.append('+');
            }
            sb.append(r).append('.').append(k);
        }
        return sb.toString();
    }

    private static long end(int r) {
        return 1000 + 40L * (r + 1);
    }

    /** Ingests records up to (excluding) {@code upTo} that the timeline does not have yet. */
    private static void ingest(Timeline tl, int upTo, int checkpointEvery) {
        for (int r = 0; r < upTo; r++) {
            if (end(r) <= tl.lastRecordLsn()) {
                continue;
            }
            for (int k = 0; k < KEYS; k++) {
                tl.writer().put(key(k), end(r), value(r, k));
            }
            tl.writer().finishRecord(end(r) - 40, end(r));
            if (r % checkpointEvery == checkpointEvery - 1) {
                tl.checkpoint();
            }
        }
    }

    private Path template(Consumer<Timeline> fill) {
        Path dir = root.resolve("template");
        try (LocalTenantManager m = new LocalTenantManager(dir, config(new EngineCrashTest.CrashInjector()),
                new AppendRedo())) {
            var t = m.createTenant(null);
            tenantId = t.tenantId();
            Timeline tl = t.createTimeline(null, 1000);
            timelineId = tl.timelineId();
            fill.accept(tl);
        }
        return dir;
    }

    private void sweep(Path template, String operation, Consumer<Timeline> op, int records) {
        EngineCrashTest.CrashInjector counter = new EngineCrashTest.CrashInjector();
        Path probe = copy(template, "probe");
        try (LocalTenantManager m = new LocalTenantManager(probe, config(counter), new AppendRedo())) {
            counter.arm(Long.MAX_VALUE);
            op.accept(m.tenant(tenantId).timeline(timelineId));
        }
        long steps = counter.calls.get();
        assertThat(steps).as("durable steps of %s", operation).isGreaterThan(3);
        for (long k = 1; k <= steps; k++) {
            Path dir = copy(template, operation + "-" + k);
            EngineCrashTest.CrashInjector inj = new EngineCrashTest.CrashInjector();
            LocalTenantManager m = new LocalTenantManager(dir, config(inj), new AppendRedo());
            inj.arm(k);
            Timeline tl = m.tenant(tenantId).timeline(timelineId);
            assertThatThrownBy(() -> op.accept(tl)).as("%s dying at step %s", operation, k).isNotNull();
            m.abandon();
            try (LocalTenantManager reopened = new LocalTenantManager(dir, config(new EngineCrashTest.CrashInjector()),
                    new AppendRedo())) {
                Timeline t2 = reopened.tenant(tenantId).timeline(timelineId);
                checkAll(t2, records, operation + " died before step " + k + " (" + inj.crashedAt + ")");
                op.accept(t2);
                checkAll(t2, records, operation + " redone after dying before step " + k);
            }
            TimelineLoader.deleteTree(dir);
        }
    }

    private void checkAll(Timeline tl, int records, String what) {
        long disk = tl.diskConsistentLsn();
        for (int r = 0; r < records; r++) {
            long lsn = end(r);
            if (lsn > disk || lsn < tl.gcCutoffLsn()) {
                continue;
            }
            for (int k = 0; k < KEYS; k++) {
                assertThat(new String(tl.get(key(k), lsn), StandardCharsets.UTF_8)).as("%s: key %s at %s", what, k, lsn)
                        .isEqualTo(expected(r + 1, k));
            }
        }
    }

    @Test
    void aFlushThatDiesAtAnyStepLosesNothingDurable() {
        Path t = template(tl -> ingest(tl, 12, 5));
        sweep(t, "flush", tl -> {
            ingest(tl, 14, 100);
            tl.checkpoint();
        }, 14);
    }

    @Test
    void aCompactionWithImageCreationThatDiesAtAnyStepLosesNothing() {
        Path t = template(tl -> ingest(tl, 16, 2));
        sweep(t, "compaction", Timeline::compact, 16);
    }

    @Test
    void aGcThatDiesAtAnyStepLosesNothingAboveTheCutoff() {
        Path t = template(tl -> {
            ingest(tl, 24, 2);
            tl.compact();
            ingest(tl, 27, 1);
            tl.compact();
        });
        sweep(t, "gc", Timeline::gc, 27);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Path copy(Path from, String name) {
        Path to = root.resolve(name);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return to;
    }

}
