package dev.strata.storage.redo.page;

/** Transaction id comparisons ({@code transam.c}): normal xids compare modulo 2^32, special ones (&lt; 3) as numbers. */
public final class Xids {
    public static final int INVALID_TRANSACTION_ID = 0;
    public static final int BOOTSTRAP_TRANSACTION_ID = 1;
    public static final int FROZEN_TRANSACTION_ID = 2;
    public static final int FIRST_NORMAL_TRANSACTION_ID = 3;

    private Xids() {
    }

    public static boolean transactionIdIsNormal(int xid) {
        return Integer.compareUnsigned(xid, FIRST_NORMAL_TRANSACTION_ID) >= 0;
    }

    /** {@code TransactionIdPrecedes(id1, id2)}. */
    public static boolean transactionIdPrecedes(int id1, int id2) {
        if (!transactionIdIsNormal(id1) || !transactionIdIsNormal(id2)) {
            return Integer.compareUnsigned(id1, id2) < 0;
        }
        return id1 - id2 < 0;
    }
}
