package dev.strata.storage.layer;

import java.util.ArrayDeque;

/**
 * The tail buffers that in-memory layers keep in memory instead of writing them to their scratch files, up to a
 * byte budget shared by every layer of one engine. A layer takes a buffer for each tail while the budget allows
 * and gives all of them back when it is closed (after its flush); past the budget, tails go to the scratch file as
 * before.
 *
 * <p>Why: appending to a new scratch file made every 4 KiB page of it a page-cache allocation with the file
 * system's block reservation and buffer heads (the ingest thread's largest cost after decoding), for bytes that are
 * read once, by the flush. Buffers given back are reused, so after the first layers no new memory is touched, and
 * they stay in the old generation, where the collector does not copy them. For that reason one pool serves the
 * whole process ({@link #shared}), as the heap it draws on does: engines opened and closed one after another reuse
 * the same buffers instead of each promoting a new set through the young generation.
 */
public final class TailPool {
    /** A pool that never keeps a tail in memory: every layer writes its scratch file. */
    public static final TailPool NONE = new TailPool(0);
    private static final TailPool SHARED = new TailPool(0);

    private long budget;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private long allocated;

    /** A pool that allocates at most {@code budgetBytes} of buffers. */
    public TailPool(long budgetBytes) {
        this.budget = budgetBytes;
    }

    /**
     * The process's pool, its budget raised to {@code budgetBytes} if that is more; {@link #NONE} for a budget of
     * 0 (an engine that keeps no tail in memory).
     */
    public static TailPool shared(long budgetBytes) {
        if (budgetBytes <= 0) {
            return NONE;
        }
        synchronized (SHARED) {
            SHARED.budget = Math.max(SHARED.budget, budgetBytes);
        }
        return SHARED;
    }

    /** A free buffer of {@link InMemoryLayer#TAIL_SIZE} bytes (contents undefined), or null when over the budget. */
    synchronized byte[] take() {
        byte[] b = free.pollFirst();
        if (b != null) {
            return b;
        }
        if (allocated + InMemoryLayer.TAIL_SIZE > budget) {
            return null;
        }
        allocated += InMemoryLayer.TAIL_SIZE;
        return new byte[InMemoryLayer.TAIL_SIZE];
    }

    /** Returns a buffer taken from this pool; nothing may read it afterwards. */
    synchronized void give(byte[] b) {
        free.addFirst(b);
    }

    /** Bytes of buffers allocated so far (in use or free). */
    public synchronized long allocatedBytes() {
        return allocated;
    }
}
