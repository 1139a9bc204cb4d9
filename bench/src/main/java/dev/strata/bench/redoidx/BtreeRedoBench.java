package dev.strata.bench.redoidx;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.nbtree.BtPage;
import dev.strata.storage.redo.nbtree.BtreeRedo;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.wal.DecodedRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

/**
 * Btree redo cost per record, on one core: a leaf INSERT_LEAF into the middle of a 300-item leaf, and a SPLIT_L of
 * a full leaf (the left page rebuilt from the original, the right page from the logged bytes). Each operation starts
 * from a copy of the same base page, so {@link #baselinePageCopy} (copying the 8 KB page, which every
 * reconstruction does) is the baseline the others are read against.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar BtreeRedoBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BtreeRedoBench {
    private static final RelTag REL = new RelTag(1663, 5, 16384, 0);
    private static final int TUPLE = 16;

    private final BtreeRedo redo = new BtreeRedo();
    private byte[] leaf;
    private byte[] fullLeaf;
    private byte[] zero;
    private DecodedRecord insertLeaf;
    private DecodedRecord split;

    @Setup
    public void setUp() {
        leaf = leafPage(300, 1);
        fullLeaf = leafPage(407, 1);
        zero = new byte[PageOps.BLCKSZ];
        insertLeaf = new WalRecordBuilder(REL, BtreeRedo.RM_BTREE_ID, BtreeRedo.INSERT_LEAF)
                .block(0, 7, tuple(301, 9, 9), false).build(le16(150), 0x1_0000_0000L);
        split = splitRecord();
    }

    /** 16-byte leaf tuple: heap TID, t_info 16, an int4 key. */
    private static byte[] tuple(int key, int blk, int off) {
        byte[] t = new byte[TUPLE];
        IndexRedoSupport.setTid(t, 0, blk, off);
        IndexRedoSupport.setTInfo(t, 0, TUPLE);
        Bytes.putI32(t, 8, key);
        return t;
    }

    private static byte[] leafPage(int n, int next) {
        byte[] page = new byte[PageOps.BLCKSZ];
        BtPage.pageInit(page);
        BtPage.setFlags(page, BtPage.BTP_LEAF);
        BtPage.setNext(page, next);
        IndexPage.pageAddItem(page, tuple(1_000_000, 0, 0), 0, TUPLE, 1, false);
        for (int i = 2; i <= n; i++) {
            IndexPage.pageAddItem(page, tuple(2 * i, i, 1), 0, TUPLE, i, false);
        }
        return page;
    }

    /** A leaf split at item 204 with the new item going left at 100; right sibling block 9. */
    private DecodedRecord splitRecord() {
        int firstRight = 204;
        ByteArrayOutputStream right = new ByteArrayOutputStream();
        for (int off = 407; off >= firstRight; off--) {
            int pos = IndexPage.item(fullLeaf, off);
            right.write(fullLeaf, pos, TUPLE);
        }
        right.write(fullLeaf, IndexPage.item(fullLeaf, 1), TUPLE);
        ByteArrayOutputStream left = new ByteArrayOutputStream();
        left.writeBytes(tuple(199, 3, 3));
        left.writeBytes(tuple(2 * firstRight, 0, 0));
        byte[] main = new byte[10];
        Bytes.putU16(main, 4, firstRight);
        Bytes.putU16(main, 6, 100);
        return new WalRecordBuilder(REL, BtreeRedo.RM_BTREE_ID, BtreeRedo.SPLIT_L)
                .block(0, 7, left.toByteArray(), false)
                .block(1, 8, right.toByteArray(), true)
                .block(2, 1, new byte[0], false)
                .build(main, 0x1_0000_1000L);
    }

    private static byte[] le16(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    @Benchmark
    public byte[] baselinePageCopy() {
        return leaf.clone();
    }

    @Benchmark
    public byte[] insertLeaf() {
        byte[] page = leaf.clone();
        redo.redo(insertLeaf, 0, page);
        return page;
    }

    /** Both pages of the split: the left page rebuilt from the original, the new right page from the record. */
    @Benchmark
    public byte[] splitLeftAndRight() {
        byte[] left = fullLeaf.clone();
        redo.redo(split, 0, left);
        byte[] right = zero.clone();
        redo.redo(split, 1, right);
        return right;
    }

    @Benchmark
    public byte[] splitLeftPage() {
        byte[] left = fullLeaf.clone();
        redo.redo(split, 0, left);
        return left;
    }
}
