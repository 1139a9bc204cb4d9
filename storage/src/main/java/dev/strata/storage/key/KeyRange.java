package dev.strata.storage.key;

/**
 * A half-open range of keys {@code [start, end)}, as layer files and image partitions cover them.
 *
 * @param start inclusive
 * @param end   exclusive; {@link Key#MAX} as an end means "to the end of the key space"
 */
public record KeyRange(Key start, Key end) {
    /** Every key: what an L0 delta layer covers. */
    public static final KeyRange ALL = new KeyRange(Key.MIN, Key.MAX);

    public KeyRange {
        if (start.compareTo(end) > 0) {
            throw new IllegalArgumentException("key range start " + start + " is after its end " + end);
        }
    }

    public boolean contains(Key key) {
        return key.compareTo(start) >= 0 && key.compareTo(end) < 0;
    }

    public boolean overlaps(KeyRange other) {
        return start.compareTo(other.end) < 0 && other.start.compareTo(end) < 0;
    }

    /** True when {@code other} lies wholly inside this range. */
    public boolean covers(KeyRange other) {
        return start.compareTo(other.start) <= 0 && other.end.compareTo(end) <= 0;
    }

    public boolean isEmpty() {
        return start.equals(end);
    }

    public boolean isAll() {
        return start.equals(Key.MIN) && end.equals(Key.MAX);
    }

    @Override
    public String toString() {
        return start + "-" + end;
    }
}
