package dev.strata.bench.engine;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.PageRedo;
import dev.strata.storage.redo.RecordBatch;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.LocalTimeline;
import dev.strata.storage.timeline.TimelineLoader;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/** Shared set-up of the engine benchmarks: a scratch data directory, a timeline, page-sized values. */
final class EngineBench {
    static final RelTag REL = new RelTag(1663, 5, 16384, 0);
    static final int PAGE = 8192;

    /** Redo left out of the measurement: returns the base image as it is. */
    static final PageRedo NO_OP_REDO = new PageRedo() {
        @Override
        public byte[] reconstruct(Key key, long lsn, byte[] base, long baseLsn, List<VersionedValue> records) {
            return base != null ? base : records.get(records.size() - 1).value().payload();
        }

        @Override
        public byte[] reconstruct(Key key, long lsn, byte[] base, long baseLsn, RecordBatch records) {
            return base != null ? base : records.payload(0);
        }
    };

    final Path dir;
    final LocalTenantManager manager;
    final LocalTimeline timeline;
    long lsn = 0x1000000;

    EngineBench(EngineConfig config) {
        try {
            dir = Files.createTempDirectory("strata-engine-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        manager = new LocalTenantManager(dir, config, NO_OP_REDO);
        timeline = manager.createTenant(null).createTimeline(null, lsn);
    }

    /** Background compaction and GC off, so each benchmark decides what runs. */
    static EngineConfig config() {
        return new EngineConfig().compactionPeriod(Duration.ZERO).gcPeriod(Duration.ZERO)
                .pageCacheBytes(512L << 20);
    }

    static Key key(int i) {
        return Key.relBlock(REL, i);
    }

    static byte[] page(Random rnd) {
        byte[] p = new byte[PAGE];
        rnd.nextBytes(p);
        return p;
    }

    /** Puts images of {@code keys} pages at the start LSN (an import) and makes them an image layer. */
    void importPages(int keys, Random rnd) {
        for (int i = 0; i < keys; i++) {
            timeline.writer().put(key(i), lsn, Value.image(page(rnd)));
        }
        timeline.writer().finishRecord(0, lsn);
        timeline.checkpoint();
    }

    /** One record of {@code size} bytes for every key, in one WAL record each. */
    void recordRound(int keys, int size) {
        byte[] payload = new byte[size];
        for (int i = 0; i < keys; i++) {
            long end = lsn + 64;
            timeline.writer().put(key(i), end, Value.pgRecord(payload, false));
            timeline.writer().finishRecord(lsn, end);
            lsn = end;
        }
    }

    void close() {
        manager.close();
        TimelineLoader.deleteTree(dir);
    }
}
