package dev.strata.storage.layer;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An immutable snapshot of a timeline's layers. Flushes, compaction and GC build a new snapshot and swap it in, so
 * a reader works on the snapshot it took and never waits for them.
 *
 * <p>Search for one key at LSN {@code L} walks down the LSN axis: the open and frozen in-memory layers first (they
 * sit above every file), then the historic layers, picking at each step the newest delta and the newest image that
 * cover the key at or below the current bound. An image wins when it is at least as new as what is left of the
 * delta; otherwise the delta is read down to just above the image (or its own start), and the bound moves below
 * that. The walk ends at an image, a will-init record or the bottom of the timeline. Deltas never overlap in LSN for
 * a key (compaction replaces L0s by L1s over the same LSN range in one swap), so the walk visits each layer at most
 * once: O(layers) per read.
 */
public final class LayerMap {
    private static final Comparator<DeltaLayer> DELTA_ORDER =
            Comparator.comparingLong(DeltaLayer::lsnStart).reversed()
                    .thenComparing(d -> d.keyRange().start());
    private static final Comparator<ImageLayer> IMAGE_ORDER =
            Comparator.comparingLong(ImageLayer::lsn).reversed()
                    .thenComparing(i -> i.keyRange().start());

    private final InMemoryLayer open;
    private final List<InMemoryLayer> frozen;
    private final List<DeltaLayer> deltas;
    private final List<ImageLayer> images;

    private LayerMap(InMemoryLayer open, List<InMemoryLayer> frozen, List<DeltaLayer> deltas,
                     List<ImageLayer> images) {
        this.open = open;
        this.frozen = List.copyOf(frozen);
        ArrayList<DeltaLayer> d = new ArrayList<>(deltas);
        d.sort(DELTA_ORDER);
        ArrayList<ImageLayer> i = new ArrayList<>(images);
        i.sort(IMAGE_ORDER);
        this.deltas = List.copyOf(d);
        this.images = List.copyOf(i);
    }

    public static LayerMap of(InMemoryLayer open, Collection<? extends PersistentLayer> historic) {
        List<DeltaLayer> d = new ArrayList<>();
        List<ImageLayer> i = new ArrayList<>();
        for (PersistentLayer l : historic) {
            if (l instanceof DeltaLayer dl) {
                d.add(dl);
            } else {
                i.add((ImageLayer) l);
            }
        }
        return new LayerMap(open, List.of(), d, i);
    }

    /** The open layer (null once the timeline is closed). */
    public InMemoryLayer open() {
        return open;
    }

    /** Frozen layers waiting for their flush, newest first. */
    public List<InMemoryLayer> frozen() {
        return frozen;
    }

    /** Delta layers, newest first (by LSN start). */
    public List<DeltaLayer> deltas() {
        return deltas;
    }

    /** Image layers, newest first. */
    public List<ImageLayer> images() {
        return images;
    }

    /** L0 deltas, oldest first. */
    public List<DeltaLayer> l0s() {
        List<DeltaLayer> out = new ArrayList<>();
        for (int i = deltas.size() - 1; i >= 0; i--) {
            if (deltas.get(i).isL0()) {
                out.add(deltas.get(i));
            }
        }
        return out;
    }

    public List<PersistentLayer> historic() {
        List<PersistentLayer> out = new ArrayList<>(deltas);
        out.addAll(images);
        return out;
    }

    /** This map with {@code open} frozen (moved to the head of the frozen list) and {@code next} as the open layer. */
    public LayerMap freeze(InMemoryLayer next) {
        List<InMemoryLayer> f = new ArrayList<>(frozen.size() + 1);
        if (open != null) {
            f.add(open);
        }
        f.addAll(frozen);
        return new LayerMap(next, f, deltas, images);
    }

    /** This map with frozen layers and historic layers removed and historic layers added. */
    public LayerMap replace(Collection<InMemoryLayer> removeFrozen, Collection<? extends PersistentLayer> remove,
                            Collection<? extends PersistentLayer> add) {
        List<InMemoryLayer> f = new ArrayList<>(frozen);
        f.removeAll(removeFrozen);
        Set<PersistentLayer> gone = new HashSet<>(remove);
        List<DeltaLayer> d = new ArrayList<>();
        List<ImageLayer> im = new ArrayList<>();
        for (DeltaLayer l : deltas) {
            if (!gone.contains(l)) {
                d.add(l);
            }
        }
        for (ImageLayer l : images) {
            if (!gone.contains(l)) {
                im.add(l);
            }
        }
        for (PersistentLayer l : add) {
            if (l instanceof DeltaLayer dl) {
                d.add(dl);
            } else {
                im.add((ImageLayer) l);
            }
        }
        return new LayerMap(open, f, d, im);
    }

    /** This map without its open layer (the timeline is closing). */
    public LayerMap withoutOpen() {
        return new LayerMap(null, frozen, deltas, images);
    }

    /**
     * Gathers the versions of the state's key at or below {@code lsn} from this timeline's layers.
     *
     * @return -1 when the state is complete, else the LSN bound to continue at in the ancestor (the key has no
     *         version in this timeline at or below it)
     */
    public long search(ReconstructState st, long lsn) {
        long cont = lsn;
        if (open != null && open.lsnStart() <= cont) {
            open.collect(st, open.lsnStart(), cont);
            if (st.complete()) {
                return -1;
            }
            cont = open.lsnStart() - 1;
        }
        for (InMemoryLayer m : frozen) {
            if (m.lsnStart() > cont) {
                continue;
            }
            m.collect(st, m.lsnStart(), cont);
            if (st.complete()) {
                return -1;
            }
            cont = m.lsnStart() - 1;
        }
        return searchHistoric(st, cont);
    }

    private long searchHistoric(ReconstructState st, long cont) {
        Key key = st.key();
        int di = 0;
        int ii = 0;
        int nd = deltas.size();
        int ni = images.size();
        while (cont >= 0) {
            while (di < nd && (deltas.get(di).lsnStart() > cont || !deltas.get(di).keyRange().contains(key))) {
                di++;
            }
            while (ii < ni && (images.get(ii).lsn() > cont || !images.get(ii).keyRange().contains(key))) {
                ii++;
            }
            DeltaLayer d = di < nd ? deltas.get(di) : null;
            ImageLayer im = ii < ni ? images.get(ii) : null;
            if (d == null && im == null) {
                break;
            }
            if (im != null && (d == null || im.lsn() >= Math.min(d.lsnEnd() - 1, cont))) {
                im.collect(st, im.lsn(), im.lsn());
                return -1;
            }
            long floor = im != null ? Math.max(d.lsnStart(), im.lsn() + 1) : d.lsnStart();
            d.collect(st, floor, Math.min(cont, d.lsnEnd() - 1));
            if (st.complete()) {
                return -1;
            }
            cont = floor - 1;
        }
        return cont;
    }

    /**
     * Calls {@code out} with every key in {@code range} that has a version at or below {@code lsn} in some layer of
     * this map (a key may come more than once).
     *
     * @return true when an image layer at or below {@code lsn} covers the whole range, so nothing older (the
     *         ancestor included) can add keys
     */
    public boolean forEachKey(KeyRange range, long lsn, Consumer<Key> out) {
        long floor = -1;
        for (ImageLayer im : images) {
            if (im.lsn() <= lsn && im.keyRange().covers(range)) {
                floor = im.lsn();
                im.forEachKey(range, lsn, out);
                break;
            }
        }
        if (open != null && open.lsnStart() <= lsn) {
            open.forEachKey(range, lsn, out);
        }
        for (InMemoryLayer m : frozen) {
            if (m.lsnStart() <= lsn) {
                m.forEachKey(range, lsn, out);
            }
        }
        for (DeltaLayer d : deltas) {
            if (d.lsnStart() <= lsn && d.lsnEnd() - 1 > floor && d.keyRange().overlaps(range)) {
                d.forEachKey(range, lsn, out);
            }
        }
        for (ImageLayer im : images) {
            if (im.lsn() <= lsn && im.lsn() > floor && im.keyRange().overlaps(range)) {
                im.forEachKey(range, lsn, out);
            }
        }
        return floor >= 0;
    }
}
