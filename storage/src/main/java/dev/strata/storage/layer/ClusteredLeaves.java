package dev.strata.storage.layer;

import dev.strata.storage.key.Key;

import java.util.Arrays;

import static dev.strata.storage.layer.ClusteredLeaf.DIR_SLOT;
import static dev.strata.storage.layer.ClusteredLeaf.ENTRY_SIZE;
import static dev.strata.storage.layer.ClusteredLeaf.HEADER;
import static dev.strata.storage.layer.LayerFileFormat.BLOCK_SIZE;
import static dev.strata.storage.layer.LayerFileFormat.PAYLOAD;

/**
 * Packs the entries and inline values of a version 2 delta file into clustered leaf blocks (layout in
 * {@link LayerFileFormat}, entries in {@link DeltaLayer}). The versions of one key are held back until the next key
 * starts, then placed together: in the current block when they fit, else in a fresh block when they fit in one, else
 * block after block. So a key whose versions fit in a block is read from one block.
 */
final class ClusteredLeaves {
    private static final long OFFSET_BITS = ~(DeltaLayer.WILL_INIT_BIT | DeltaLayer.INLINE_BIT);

    private final LayerFileWriter w;
    // The block being filled: its directory, entries and inline values, joined when the block is closed.
    private final byte[] dirKeys = new byte[PAYLOAD];
    private final int[] dirFirst = new int[PAYLOAD / DIR_SLOT];
    private int keys;
    private final byte[] entries = new byte[PAYLOAD];
    private int count;
    private final byte[] values = new byte[PAYLOAD];
    private int valuesLen;
    /** Whether the current key already has a directory slot in the block being filled. */
    private boolean keyInBlock;
    /** Whether some version of the current key is already placed (in this block or an earlier one). */
    private boolean keyPlaced;
    /** Whether the first key of the block being filled continues from the block before. */
    private boolean continued;
    private final byte[] block = new byte[BLOCK_SIZE];
    private final byte[] fence = new byte[DeltaLayer.FENCE_WIDTH];
    private final byte[] lastFence = new byte[DeltaLayer.FENCE_WIDTH];
    // The current key's versions not placed yet; an inline entry's offset bits say where its value is in groupValues.
    private final byte[] groupKey = new byte[Key.SIZE];
    private boolean hasGroup;
    private long groupLastLsn;
    private byte[] groupEntries = new byte[16 * ENTRY_SIZE];
    private int groupCount;
    private byte[] groupValues = new byte[4096];
    private int groupValuesLen;

    ClusteredLeaves(LayerFileWriter w) {
        this.w = w;
    }

    /**
     * Adds the next version in (key, LSN) order: {@code word} is its packed offset word (will-init bit, and for a
     * value in the stream its stream offset); {@code value} is the encoded value to keep inline, or null.
     */
    void add(byte[] keyBytes, long lsn, long word, int len, byte[] value) {
        boolean sameKey = hasGroup && Arrays.equals(keyBytes, 0, Key.SIZE, groupKey, 0, Key.SIZE);
        if (sameKey && Long.compareUnsigned(lsn, groupLastLsn) <= 0 || !sameKey && hasGroup
                && Arrays.compareUnsigned(keyBytes, 0, Key.SIZE, groupKey, 0, Key.SIZE) < 0) {
            throw new IllegalStateException("versions added out of (key, LSN) order in " + w.path());
        }
        if (!sameKey) {
            placeGroup();
            keyInBlock = false;
            keyPlaced = false;
            System.arraycopy(keyBytes, 0, groupKey, 0, Key.SIZE);
            hasGroup = true;
        }
        groupLastLsn = lsn;
        if ((groupCount + 1) * ENTRY_SIZE > groupEntries.length) {
            groupEntries = Arrays.copyOf(groupEntries, groupEntries.length * 2);
        }
        int at = groupCount * ENTRY_SIZE;
        if (value != null) {
            if (groupValuesLen + value.length > groupValues.length) {
                groupValues = Arrays.copyOf(groupValues, Math.max(groupValues.length * 2, groupValuesLen
                        + value.length));
            }
            word = (word & DeltaLayer.WILL_INIT_BIT) | DeltaLayer.INLINE_BIT | groupValuesLen;
            System.arraycopy(value, 0, groupValues, groupValuesLen, value.length);
            groupValuesLen += value.length;
        }
        Bytes.putLong(groupEntries, at, lsn);
        Bytes.putLong(groupEntries, at + 8, word);
        Bytes.putInt(groupEntries, at + 16, len);
        groupCount++;
        if (DIR_SLOT + groupCount * ENTRY_SIZE + groupValuesLen > PAYLOAD - HEADER) {
            placeGroup(); // more than a block's worth: the key spans blocks anyway
        }
    }

    /** Places what is held back and writes the last block. */
    void finish() {
        placeGroup();
        closeBlock();
    }

    private int free() {
        return PAYLOAD - HEADER - keys * DIR_SLOT - count * ENTRY_SIZE - valuesLen;
    }

    private void placeGroup() {
        int need = (keyInBlock ? 0 : DIR_SLOT) + groupCount * ENTRY_SIZE + groupValuesLen;
        if (need > free() && count > 0 && need <= PAYLOAD - HEADER - DIR_SLOT) {
            closeBlock();
        }
        for (int k = 0; k < groupCount; k++) {
            int at = k * ENTRY_SIZE;
            long word = Bytes.getLong(groupEntries, at + 8);
            boolean inline = (word & DeltaLayer.INLINE_BIT) != 0;
            int len = inline ? Bytes.getInt(groupEntries, at + 16) : 0;
            if ((keyInBlock ? 0 : DIR_SLOT) + ENTRY_SIZE + len > free()) {
                closeBlock();
            }
            if (!keyInBlock) {
                if (keys == 0) {
                    continued = keyPlaced;
                }
                System.arraycopy(groupKey, 0, dirKeys, keys * Key.SIZE, Key.SIZE);
                dirFirst[keys++] = count;
                keyInBlock = true;
            }
            System.arraycopy(groupEntries, at, entries, count * ENTRY_SIZE, ENTRY_SIZE);
            if (inline) {
                // Offset among this block's values for now; closeBlock adds where the values start.
                System.arraycopy(groupValues, (int) (word & OFFSET_BITS), values, valuesLen, len);
                Bytes.putLong(entries, count * ENTRY_SIZE + 8, (word & ~OFFSET_BITS) | valuesLen);
                valuesLen += len;
            }
            count++;
            keyPlaced = true;
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
        block[2] = (byte) (keys >>> 8 | (continued ? 0x80 : 0));
        block[3] = (byte) keys;
        System.arraycopy(dirKeys, 0, block, HEADER, keys * Key.SIZE);
        for (int j = 0; j < keys; j++) {
            int at = HEADER + keys * Key.SIZE + 2 * j;
            block[at] = (byte) (dirFirst[j] >>> 8);
            block[at + 1] = (byte) dirFirst[j];
        }
        int entriesStart = ClusteredLeaf.entryOffset(keys, 0);
        int valuesStart = ClusteredLeaf.entryOffset(keys, count);
        System.arraycopy(entries, 0, block, entriesStart, count * ENTRY_SIZE);
        for (int i = 0; i < count; i++) {
            int wordAt = entriesStart + i * ENTRY_SIZE + 8;
            long word = Bytes.getLong(block, wordAt);
            if ((word & DeltaLayer.INLINE_BIT) != 0) {
                Bytes.putLong(block, wordAt, word + valuesStart);
            }
        }
        System.arraycopy(values, 0, block, valuesStart, valuesLen);
        System.arraycopy(dirKeys, 0, fence, 0, Key.SIZE);
        System.arraycopy(entries, 0, fence, Key.SIZE, 8);
        System.arraycopy(dirKeys, (keys - 1) * Key.SIZE, lastFence, 0, Key.SIZE);
        System.arraycopy(entries, (count - 1) * ENTRY_SIZE, lastFence, Key.SIZE, 8);
        w.addLeafBlock(block, count, fence, lastFence);
        count = 0;
        keys = 0;
        valuesLen = 0;
        keyInBlock = false;
        continued = false;
    }
}
