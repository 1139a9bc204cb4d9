package dev.strata.storage.timeline;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.value.Value;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives an engine and an {@link EngineModel} with the same random operations (records, checkpoints, compaction,
 * image creation, GC, branches, leases, reopenings) and compares reads against the model.
 */
final class EngineWorkload {
    static final long ROOT_START = 1000;

    final Path dir;
    final EngineConfig config;
    final Random rnd;
    final EngineModel model = new EngineModel();
    final List<Key> keyPool = new ArrayList<>();
    final Map<String, Long> observedDisk = new HashMap<>();
    LocalTenantManager mgr;
    String tenantId;
    private long valueSeq;
    private EngineModel.Tl inFlightTimeline;
    private EngineModel.Rec inFlight;
    long steps;

    EngineWorkload(Path dir, EngineConfig config, long seed) {
        this.dir = dir;
        this.config = config;
        this.rnd = new Random(seed);
        for (int rel = 0; rel < 3; rel++) {
            RelTag r = new RelTag(1663, 5, 16384 + rel, 0);
            for (int blk = 0; blk < 60; blk++) {
                keyPool.add(Key.relBlock(r, blk));
            }
            keyPool.add(Key.relSize(r));
        }
        keyPool.add(Key.dbDir());
        keyPool.add(Key.controlFile());
    }

    void start() {
        mgr = new LocalTenantManager(dir, config, new AppendRedo());
        tenantId = mgr.createTenant(null).tenantId();
        Timeline t = mgr.tenant(tenantId).createTimeline(null, ROOT_START);
        model.add(new EngineModel.Tl(t.timelineId(), null, 0, ROOT_START, 0));
    }

    Timeline engine(EngineModel.Tl t) {
        return mgr.tenant(tenantId).timeline(t.id);
    }

    EngineModel.Tl randomTimeline() {
        List<EngineModel.Tl> all = new ArrayList<>(model.timelines.values());
        return all.get(rnd.nextInt(all.size()));
    }

    /** One random operation followed by a few random reads checked against the model. */
    void step() {
        steps++;
        int p = rnd.nextInt(1000);
        if (p < 700) {
            ingestRecord(randomTimeline());
        } else if (p < 770) {
            checkpoint(randomTimeline());
        } else if (p < 830) {
            engine(randomTimeline()).compact();
        } else if (p < 870) {
            engine(randomTimeline()).gc();
        } else if (p < 885) {
            branch(randomTimeline());
        } else if (p < 900) {
            lease(randomTimeline());
        } else if (p < 905) {
            reopen();
        } else if (p < 950) {
            checkKeys(randomTimeline());
        }
        checkRandomReads(3);
    }

    void checkpoint(EngineModel.Tl t) {
        Timeline e = engine(t);
        e.checkpoint();
        observedDisk.merge(t.id, e.diskConsistentLsn(), Math::max);
        assertThat(e.diskConsistentLsn()).isEqualTo(t.last);
    }

    void ingestRecord(EngineModel.Tl t) {
        long start = t.last;
        long end = start + 8 + rnd.nextInt(200);
        int n = 1 + rnd.nextInt(4);
        List<Map.Entry<Key, Value>> puts = new ArrayList<>();
        Map<Key, Value> pending = new HashMap<>();
        TimelineWriter w = engine(t).writer();
        for (int i = 0; i < n; i++) {
            Key k = keyPool.get(rnd.nextInt(keyPool.size()));
            // A second put of a key in one record replaces the first (same LSN), so only older versions count.
            boolean exists = EngineModel.expected(t, k, t.last) != null;
            Value v = newValue(k, exists);
            w.put(k, end, v);
            puts.add(new AbstractMap.SimpleEntry<>(k, v));
            pending.put(k, v);
            if (rnd.nextInt(10) == 0) {
                checkPending(t, w, k, end, pending);
            }
        }
        EngineModel.Rec rec = new EngineModel.Rec(start, end, puts);
        inFlightTimeline = t;
        inFlight = rec;
        w.finishRecord(start, end);
        t.commit(rec);
        inFlight = null;
    }

    /**
     * After a crash: a record whose finishRecord failed (waiting for a flush) may still have become durable; if the
     * engine kept it, the model takes it too.
     */
    void settleInFlight() {
        if (inFlight != null && engine(inFlightTimeline).diskConsistentLsn() >= inFlight.end()) {
            inFlightTimeline.commit(inFlight);
        }
        inFlight = null;
    }

    private void checkPending(EngineModel.Tl t, TimelineWriter w, Key k, long end, Map<Key, Value> pending) {
        Value v = pending.get(k);
        if (v.isImage()) {
            assertThat(w.getPending(k, end)).as("getPending of %s", k).isEqualTo(v.payload());
        }
        Key other = keyPool.get(rnd.nextInt(keyPool.size()));
        if (!pending.containsKey(other)) {
            assertThat(w.getPending(other, end)).as("getPending of %s", other)
                    .isEqualTo(EngineModel.expected(t, other, t.last));
        }
    }

    private Value newValue(Key k, boolean exists) {
        long id = ++valueSeq;
        if (!k.isRelBlock()) {
            return Value.image(("M" + id).getBytes(StandardCharsets.UTF_8));
        }
        int p = rnd.nextInt(100);
        if (!exists) {
            return p < 50 ? Value.image(("I" + id).getBytes(StandardCharsets.UTF_8))
                    : Value.pgRecord(("W" + id + ";").getBytes(StandardCharsets.UTF_8), true);
        }
        if (p < 8) {
            return Value.image(("I" + id).getBytes(StandardCharsets.UTF_8));
        }
        if (p < 14) {
            return Value.pgRecord(("W" + id + ";").getBytes(StandardCharsets.UTF_8), true);
        }
        if (p < 20) {
            return Value.strataRecord(("s" + id + ";").getBytes(StandardCharsets.UTF_8), false);
        }
        return Value.pgRecord(("r" + id + ";").getBytes(StandardCharsets.UTF_8), false);
    }

    void branch(EngineModel.Tl parent) {
        Long at = readableLsn(parent);
        if (at == null || at == 0) {
            return;
        }
        Timeline p = engine(parent);
        Timeline child = mgr.tenant(tenantId).branch(parent.id, null, at);
        long prev = at == parent.last ? parent.prev : 0;
        assertThat(child.prevRecordLsn()).isEqualTo(prev);
        assertThat(child.ancestorLsn()).isEqualTo(at);
        assertThat(p.timelineId()).isEqualTo(child.ancestorTimelineId());
        model.add(new EngineModel.Tl(child.timelineId(), parent, at, at, prev));
    }

    void lease(EngineModel.Tl t) {
        Long at = readableLsn(t);
        if (at != null) {
            engine(t).leaseLsn(at, Duration.ofHours(1));
            t.leases.put(at, Long.MAX_VALUE);
        }
    }

    void reopen() {
        mgr.close();
        mgr = new LocalTenantManager(dir, config, new AppendRedo());
        for (EngineModel.Tl t : model.timelines.values()) {
            Timeline e = engine(t);
            assertThat(e.lastRecordLsn()).as("last record LSN of %s after reopening", t.id).isEqualTo(t.last);
            assertThat(e.diskConsistentLsn()).isEqualTo(t.last);
            if (t.last != t.startLsn) {
                assertThat(e.prevRecordLsn()).isEqualTo(t.prev);
            }
        }
    }

    /** A random LSN the engine must serve for {@code t}, or null when there is none. */
    Long readableLsn(EngineModel.Tl t) {
        Timeline e = engine(t);
        if (rnd.nextInt(5) == 0) {
            List<Long> retained = new ArrayList<>(model.branchPointsOf(t));
            retained.addAll(t.leases.keySet());
            if (!retained.isEmpty()) {
                return retained.get(rnd.nextInt(retained.size()));
            }
        }
        long lo = Math.max(t.startLsn, e.gcCutoffLsn());
        long hi = t.last;
        if (lo > hi) {
            return null;
        }
        if (rnd.nextBoolean() && !t.ends.isEmpty()) {
            long pick = t.ends.get(rnd.nextInt(t.ends.size())) - rnd.nextInt(2);
            if (pick >= lo && pick <= hi) {
                return pick;
            }
        }
        return lo + (long) (rnd.nextDouble() * (hi - lo + 1));
    }

    void checkRandomReads(int n) {
        for (int i = 0; i < n; i++) {
            EngineModel.Tl t = randomTimeline();
            Long lsn = readableLsn(t);
            if (lsn != null) {
                checkRead(t, keyPool.get(rnd.nextInt(keyPool.size())), lsn);
            }
        }
    }

    void checkRead(EngineModel.Tl t, Key k, long lsn) {
        byte[] expected = EngineModel.expected(t, k, lsn);
        Timeline e = engine(t);
        String what = "step " + steps + ": " + k + " at " + lsn + " in " + t.id;
        if (expected == null) {
            try {
                byte[] got = e.get(k, lsn);
                throw new AssertionError(what + ": expected not found, got "
                        + new String(got, StandardCharsets.UTF_8));
            } catch (KeyNotFoundException ok) {
                assertThat(e.getOrNull(k, lsn)).as(what).isNull();
            }
        } else {
            assertThat(new String(e.get(k, lsn), StandardCharsets.UTF_8)).as(what)
                    .isEqualTo(new String(expected, StandardCharsets.UTF_8));
        }
    }

    void checkKeys(EngineModel.Tl t) {
        Long lsn = readableLsn(t);
        if (lsn != null) {
            assertThat(engine(t).keys(Key.MIN, Key.MAX, lsn)).as("keys of %s at %s (step %s)", t.id, lsn, steps)
                    .containsExactlyElementsOf(EngineModel.keys(t, lsn));
        }
    }

    /** Prints the layers of every timeline (to diagnose a failure). */
    void dumpLayers() {
        try {
            for (EngineModel.Tl t : model.timelines.values()) {
                Timeline e = engine(t);
                System.out.println("timeline " + t.id + " start " + t.startLsn + " last " + t.last + " disk "
                        + e.diskConsistentLsn() + " cutoff " + e.gcCutoffLsn() + " ancestor " + (t.parent == null
                        ? "-" : t.parent.id + "@" + t.ancestorLsn));
                for (LayerInfo l : e.layers()) {
                    System.out.println("  " + l.kind() + " " + l.keyStart() + "-" + l.keyEnd() + " " + l.lsnStart()
                            + "-" + l.lsnEnd());
                }
            }
        } catch (RuntimeException e) {
            System.out.println("cannot list layers: " + e);
        }
    }

    /** Every key of every timeline at a few readable LSNs. */
    void checkEverything() {
        for (EngineModel.Tl t : model.timelines.values()) {
            for (int i = 0; i < 3; i++) {
                Long lsn = readableLsn(t);
                if (lsn == null) {
                    continue;
                }
                for (Key k : keyPool) {
                    checkRead(t, k, lsn);
                }
            }
            checkKeys(t);
        }
    }
}
