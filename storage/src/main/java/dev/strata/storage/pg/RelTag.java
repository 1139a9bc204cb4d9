package dev.strata.storage.pg;

/**
 * One fork of one relation: PostgreSQL's {@code RelFileNode} plus a fork number.
 *
 * <p>OIDs are unsigned 32-bit values held in {@code int}s; compare and print them with the
 * {@link Integer#toUnsignedString(int)} family. Text form: {@code spc/db/rel} and the fork name.
 */
public record RelTag(int spcNode, int dbNode, int relNode, int forkNum) implements Comparable<RelTag> {
    public static final int MAIN_FORKNUM = 0;
    public static final int FSM_FORKNUM = 1;
    public static final int VISIBILITYMAP_FORKNUM = 2;
    public static final int INIT_FORKNUM = 3;

    private static final String[] FORK_NAMES = {"main", "fsm", "vm", "init"};

    public RelTag {
        if (forkNum < 0 || forkNum > INIT_FORKNUM) {
            throw new IllegalArgumentException("fork number " + forkNum + " is not 0..3 (main, fsm, vm, init)");
        }
    }

    /** The same relation, another fork. */
    public RelTag withFork(int fork) {
        return new RelTag(spcNode, dbNode, relNode, fork);
    }

    public static String forkName(int forkNum) {
        return FORK_NAMES[forkNum];
    }

    /** Parses a fork name ({@code main|fsm|vm|init}) or number. */
    public static int parseFork(String text) {
        for (int i = 0; i < FORK_NAMES.length; i++) {
            if (FORK_NAMES[i].equalsIgnoreCase(text) || Integer.toString(i).equals(text)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a fork: '" + text + "' (expected main, fsm, vm or init)");
    }

    /** Parses {@code spc/db/rel} with the given fork. */
    public static RelTag parse(String rel, int fork) {
        String[] parts = rel.split("/");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a relation: '" + rel + "' (expected spc/db/relfilenode)");
        }
        try {
            return new RelTag(Integer.parseUnsignedInt(parts[0]), Integer.parseUnsignedInt(parts[1]),
                    Integer.parseUnsignedInt(parts[2]), fork);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a relation: '" + rel + "' (expected spc/db/relfilenode)", e);
        }
    }

    /** {@code spc/db/rel} as pg_waldump prints it. */
    public String relPath() {
        return Integer.toUnsignedString(spcNode) + "/" + Integer.toUnsignedString(dbNode) + "/"
                + Integer.toUnsignedString(relNode);
    }

    @Override
    public int compareTo(RelTag o) {
        int c = Integer.compareUnsigned(spcNode, o.spcNode);
        if (c == 0) {
            c = Integer.compareUnsigned(dbNode, o.dbNode);
        }
        if (c == 0) {
            c = Integer.compareUnsigned(relNode, o.relNode);
        }
        return c != 0 ? c : Integer.compare(forkNum, o.forkNum);
    }

    @Override
    public String toString() {
        return relPath() + (forkNum == MAIN_FORKNUM ? "" : "_" + forkName(forkNum));
    }
}
