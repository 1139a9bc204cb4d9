package dev.strata.storage.redo.spgist;

import dev.strata.storage.redo.RedoException;

/** Small checks shared by the SP-GiST redo classes. */
final class Spg {
    private Spg() {
    }

    static void only(int blockId, int expected) {
        if (blockId != expected) {
            throw new RedoException("this record type changes only block id " + expected);
        }
    }
}
