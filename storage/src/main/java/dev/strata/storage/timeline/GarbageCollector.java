package dev.strata.storage.timeline;

import dev.strata.storage.layer.ImageLayer;
import dev.strata.storage.layer.LayerMap;
import dev.strata.storage.layer.PersistentLayer;
import dev.strata.storage.pg.Lsn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * GC of one timeline. The new cutoff is the lower of {@code last record LSN - gc_horizon} and the LSN the timeline
 * had reached {@code pitr_interval} ago (the PITR limit is off when the interval is zero), never above the
 * disk-consistent LSN and never moving backwards. Reads below the cutoff are refused except at retained LSNs: the
 * branch points of child timelines and leased LSNs.
 *
 * <p>A layer file is removed only when no read that is still allowed can need it: all its versions are at or below
 * the cutoff, and for every retained LSN {@code r} at or above its start (the cutoff included) images newer than the
 * layer's last version and at or below {@code r} cover its whole key range, so the search at {@code r} stops at
 * those images before reaching it. Layers are decided oldest first and an image already chosen for removal never
 * counts as cover, so removals never undercut each other.
 */
final class GarbageCollector {
    private final LocalTimeline tl;

    GarbageCollector(LocalTimeline tl) {
        this.tl = tl;
    }

    String run() {
        long t0 = System.nanoTime();
        long cutoff;
        TreeSet<Long> retain = new TreeSet<>();
        synchronized (tl.family().gcLock()) {
            cutoff = newCutoff();
            long now = tl.ctx.config().clock().millis();
            Map<Long, Long> live = new TreeMap<>();
            tl.metadata().leases().forEach((lsn, until) -> {
                if (until > now) {
                    live.put(lsn, until);
                }
            });
            long c = cutoff;
            if (c != tl.gcCutoffLsn() || live.size() != tl.metadata().leases().size()) {
                tl.updateMetadata(m -> m.withGcCutoff(c, live), true);
                tl.setGcCutoff(c);
            }
            retain.addAll(live.keySet());
            retain.addAll(tl.family().branchPointsOf(tl.timelineId()));
        }
        retain.add(cutoff);
        List<PersistentLayer> remove = chooseRemovals(tl.layerMap(), cutoff, retain);
        if (!remove.isEmpty()) {
            tl.commitHistoric(List.of(), remove, List.of(), TimelineMetadata::withLayers);
        }
        tl.counters.gcRuns.increment();
        tl.counters.gcLayersRemoved.add(remove.size());
        tl.counters.gcNanos.add(System.nanoTime() - t0);
        return "gc: cutoff " + Lsn.format(cutoff) + ", removed " + remove.size() + " layers";
    }

    private long newCutoff() {
        EngineConfig c = tl.ctx.config();
        long last = tl.lastRecordLsn();
        long space = last - c.gcHorizon();
        long cutoff = space;
        if (!c.pitrInterval().isZero()) {
            long time = LsnTimes.lsnAt(tl.metadata().lsnTimes(), c.clock().millis() - c.pitrInterval().toMillis());
            cutoff = Math.min(cutoff, time);
        }
        cutoff = Math.min(cutoff, tl.diskConsistentLsn());
        return Math.max(cutoff, tl.gcCutoffLsn());
    }

    static List<PersistentLayer> chooseRemovals(LayerMap m, long cutoff, TreeSet<Long> retain) {
        List<PersistentLayer> candidates = new ArrayList<>();
        for (PersistentLayer l : m.historic()) {
            if (l.lsnEnd() - 1 <= cutoff) {
                candidates.add(l);
            }
        }
        candidates.sort(Comparator.comparingLong(PersistentLayer::lsnStart));
        List<PersistentLayer> removed = new ArrayList<>();
        for (PersistentLayer x : candidates) {
            boolean needed = false;
            for (long r : retain.tailSet(x.lsnStart(), true)) {
                if (!coveredAt(m, x, r, removed)) {
                    needed = true;
                    break;
                }
            }
            if (!needed) {
                removed.add(x);
            }
        }
        return removed;
    }

    /** True when images at LSNs in [x's last version, r], other than x and the removed ones, cover x's keys. */
    private static boolean coveredAt(LayerMap m, PersistentLayer x, long r, List<PersistentLayer> removed) {
        List<ImageLayer> cover = new ArrayList<>();
        for (ImageLayer im : m.images()) {
            if (im != x && im.lsn() >= x.lsnEnd() - 1 && im.lsn() <= r && !removed.contains(im)) {
                cover.add(im);
            }
        }
        return ImageCoverage.covers(x.keyRange(), cover);
    }
}
