package dev.strata.bench.redo;

import dev.strata.bench.redo.RedoSamples.Sample;
import dev.strata.storage.key.Key;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.RecordDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Time to apply one WAL record to one page, per record kind, single-threaded, on real records of a primary
 * (see {@link RedoSamples}; each was verified against the primary's after-image). Each operation copies the base
 * page (as the read path does, bases are never modified) and applies the record; {@link #baselinePageCopy}
 * measures the copy alone, so the redo cost is the difference and the ratio is comparable across machines.
 *
 * <ul>
 *   <li>{@code heapInsert}: Heap/INSERT onto its page (record already decoded);</li>
 *   <li>{@code heapInsertRecord}: the raw record decoded, then applied: what one heap insert record costs a page
 *       read ({@code redo_heap_insert_us});</li>
 *   <li>{@code heapInsertValue} / {@code heapInsertValueInto}: the whole {@link JavaPageRedo#reconstruct} of a
 *       page from its base and one stored value, allocating the result page / writing into a caller's buffer
 *       (the difference is the cost of materialising a fresh 8 KiB page, paid once per read);</li>
 *   <li>{@code heapHotUpdate}, {@code btreeLeafInsert}, {@code btreeSplit} (the left page of SPLIT_L/SPLIT_R),
 *       {@code fpiRestore} (XLOG/FPI, image restored and LSN stamped).</li>
 * </ul>
 * Run: {@code java -jar bench/target/benchmarks.jar dev.strata.bench.redo.RedoBench -p walCompression=off}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class RedoBench {
    @org.openjdk.jmh.annotations.Param({"off"})
    public String walCompression;

    private final JavaPageRedo redo = new JavaPageRedo();
    private RedoSamples samples;
    private Sample[] heapInsert;
    private Sample[] hotUpdate;
    private Sample[] btreeLeaf;
    private Sample[] btreeSplit;
    private Sample[] fpi;
    private Key[] heapInsertKeys;
    private List<VersionedValue>[] heapInsertValues;
    private final byte[] scratch = new byte[8192];
    private int i;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() throws Exception {
        samples = RedoSamples.collect(walCompression);
        heapInsert = samples.of("Heap/INSERT", 0);
        hotUpdate = samples.of("Heap/HOT_UPDATE", 0);
        fpi = samples.of("XLOG/FPI", 0);
        heapInsertKeys = new Key[heapInsert.length];
        heapInsertValues = new List[heapInsert.length];
        for (int k = 0; k < heapInsert.length; k++) {
            var b = heapInsert[k].rec().block(0);
            heapInsertKeys[k] = Key.relBlock(b.rel(), b.blkno());
            heapInsertValues[k] = List.of(new VersionedValue(heapInsert[k].rec().endLsn(),
                    Value.pgRecord(heapInsert[k].rec().raw(), false)));
        }
    }

    private Sample next(Sample[] s) {
        i = i + 1 == Integer.MAX_VALUE ? 0 : i + 1;
        return s[i % s.length];
    }

    private byte[] apply(Sample s) {
        byte[] page = null;
        if (s.base() != null) {
            System.arraycopy(s.base(), 0, scratch, 0, 8192);
            page = scratch;
        }
        return redo.applyBlock(s.rec(), s.blockId(), page);
    }

    @Benchmark
    public byte[] baselinePageCopy() {
        Sample s = next(heapInsert);
        System.arraycopy(s.base(), 0, scratch, 0, 8192);
        return scratch;
    }

    @Benchmark
    public byte[] heapInsert() {
        return apply(next(heapInsert));
    }

    @Benchmark
    public byte[] heapInsertRecord() {
        Sample s = next(heapInsert);
        DecodedRecord rec = RecordDecoder.decode(s.rec().raw(), 0, s.rec().endLsn());
        System.arraycopy(s.base(), 0, scratch, 0, 8192);
        return redo.applyBlock(rec, 0, scratch);
    }

    @Benchmark
    public byte[] heapInsertValue() {
        int k = (i = i + 1 == Integer.MAX_VALUE ? 0 : i + 1) % heapInsert.length;
        Sample s = heapInsert[k];
        return redo.reconstruct(heapInsertKeys[k], s.rec().endLsn(), s.base(), 0, heapInsertValues[k]);
    }

    @Benchmark
    public byte[] heapInsertValueInto() {
        int k = (i = i + 1 == Integer.MAX_VALUE ? 0 : i + 1) % heapInsert.length;
        Sample s = heapInsert[k];
        redo.reconstructInto(heapInsertKeys[k], s.rec().endLsn(), s.base(), heapInsertValues[k], scratch);
        return scratch;
    }

    @Benchmark
    public byte[] heapHotUpdate() {
        return apply(next(hotUpdate));
    }

    @Benchmark
    public byte[] btreeLeafInsert() {
        if (btreeLeaf == null) {
            btreeLeaf = samples.of("Btree/INSERT_LEAF", 0);
        }
        return apply(next(btreeLeaf));
    }

    @Benchmark
    public byte[] btreeSplit() {
        if (btreeSplit == null) {
            try {
                btreeSplit = samples.of("Btree/SPLIT_R", 0);
            } catch (IllegalStateException e) {
                btreeSplit = samples.of("Btree/SPLIT_L", 0);
            }
        }
        return apply(next(btreeSplit));
    }

    @Benchmark
    public byte[] fpiRestore() {
        return apply(next(fpi));
    }
}
