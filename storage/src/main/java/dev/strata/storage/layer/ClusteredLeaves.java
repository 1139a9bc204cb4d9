package dev.strata.storage.layer;

import java.util.Arrays;

import static dev.strata.storage.layer.LayerFileFormat.BLOCK_SIZE;
import static dev.strata.storage.layer.LayerFileFormat.LEAF_HEADER;
import static dev.strata.storage.layer.LayerFileFormat.PAYLOAD;

/**
 * Packs the entries and inline values of a version 2 delta file into clustered leaf blocks (the layout is specified
 * in {@link LayerFileFormat} and {@link DeltaLayer}). The versions of one key are held back until the next key
 * starts, then placed together: in the current block when they fit, else in a fresh block when they fit in one, else
 * block after block. So a key whose versions fit in a block is read from one block.
 */
final class ClusteredLeaves {
    private static final int ES = DeltaLayer.ENTRY_SIZE;
    private static final long OFFSET_BITS = ~(DeltaLayer.WILL_INIT_BIT | DeltaLayer.INLINE_BIT);

    private final LayerFileWriter w;
    // The block being filled: its entries and its inline values, joined when the block is closed.
    private final byte[] entries = new byte[PAYLOAD];
    private int count;
    private final byte[] values = new byte[PAYLOAD];
    private int valuesLen;
    private final byte[] block = new byte[BLOCK_SIZE];
    // The current key's versions not placed yet; an inline entry's offset bits say where its value is in groupValues.
    private final byte[] groupKey = new byte[18];
    private boolean hasGroup;
    private long groupLastLsn;
    private byte[] groupEntries = new byte[16 * ES];
    private int groupCount;
    private byte[] groupValues = new byte[4096];
    private int groupValuesLen;

    ClusteredLeaves(LayerFileWriter w) {
        this.w = w;
    }

    /**
     * Adds the next version in (key, LSN) order. {@code entry} is its 38-byte entry; for an inline value
     * ({@code value} not null) the offset bits of its word are ignored and set when the value is placed.
     */
    void add(byte[] entry, byte[] value) {
        boolean sameKey = hasGroup && Arrays.equals(entry, 0, groupKey.length, groupKey, 0, groupKey.length);
        long lsn = Bytes.getLong(entry, groupKey.length);
        if (sameKey && lsn <= groupLastLsn || !sameKey && hasGroup
                && Arrays.compareUnsigned(entry, 0, groupKey.length, groupKey, 0, groupKey.length) < 0) {
            throw new IllegalStateException("versions added out of (key, LSN) order in " + w.path());
        }
        if (!sameKey) {
            placeGroup();
            System.arraycopy(entry, 0, groupKey, 0, groupKey.length);
            hasGroup = true;
        }
        groupLastLsn = lsn;
        if ((groupCount + 1) * ES > groupEntries.length) {
            groupEntries = Arrays.copyOf(groupEntries, groupEntries.length * 2);
        }
        int at = groupCount * ES;
        System.arraycopy(entry, 0, groupEntries, at, ES);
        if (value != null) {
            if (groupValuesLen + value.length > groupValues.length) {
                groupValues = Arrays.copyOf(groupValues, Math.max(groupValues.length * 2, groupValuesLen
                        + value.length));
            }
            long word = Bytes.getLong(entry, DeltaLayer.FENCE_WIDTH) & DeltaLayer.WILL_INIT_BIT;
            Bytes.putLong(groupEntries, at + DeltaLayer.FENCE_WIDTH, word | DeltaLayer.INLINE_BIT | groupValuesLen);
            System.arraycopy(value, 0, groupValues, groupValuesLen, value.length);
            groupValuesLen += value.length;
        }
        groupCount++;
        if (groupCount * ES + groupValuesLen > PAYLOAD - LEAF_HEADER) {
            placeGroup(); // more than a block's worth: the key spans blocks anyway
        }
    }

    /** Places what is held back and writes the last block. */
    void finish() {
        placeGroup();
        closeBlock();
    }

    private int free() {
        return PAYLOAD - LEAF_HEADER - count * ES - valuesLen;
    }

    private void placeGroup() {
        int need = groupCount * ES + groupValuesLen;
        if (need > free() && count > 0 && need <= PAYLOAD - LEAF_HEADER) {
            closeBlock();
        }
        for (int k = 0; k < groupCount; k++) {
            int at = k * ES;
            long word = Bytes.getLong(groupEntries, at + DeltaLayer.FENCE_WIDTH);
            boolean inline = (word & DeltaLayer.INLINE_BIT) != 0;
            int len = inline ? Bytes.getInt(groupEntries, at + DeltaLayer.FENCE_WIDTH + 8) : 0;
            if (ES + len > free()) {
                closeBlock();
            }
            System.arraycopy(groupEntries, at, entries, count * ES, ES);
            if (inline) {
                // Offset among this block's values for now; closeBlock adds where the values start.
                System.arraycopy(groupValues, (int) (word & OFFSET_BITS), values, valuesLen, len);
                long placed = (word & ~OFFSET_BITS) | valuesLen;
                Bytes.putLong(entries, count * ES + DeltaLayer.FENCE_WIDTH, placed);
                valuesLen += len;
            }
            count++;
        }
        groupCount = 0;
        groupValuesLen = 0;
    }

    private void closeBlock() {
        if (count == 0) {
            return;
        }
        Arrays.fill(block, (byte) 0);
        block[0] = (byte) (count >>> 8);
        block[1] = (byte) count;
        int valuesStart = LEAF_HEADER + count * ES;
        System.arraycopy(entries, 0, block, LEAF_HEADER, count * ES);
        for (int k = 0; k < count; k++) {
            int wordAt = LEAF_HEADER + k * ES + DeltaLayer.FENCE_WIDTH;
            long word = Bytes.getLong(block, wordAt);
            if ((word & DeltaLayer.INLINE_BIT) != 0) {
                Bytes.putLong(block, wordAt, word + valuesStart);
            }
        }
        System.arraycopy(values, 0, block, valuesStart, valuesLen);
        w.addLeafBlock(block, count);
        count = 0;
        valuesLen = 0;
    }
}
