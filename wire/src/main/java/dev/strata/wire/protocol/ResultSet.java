package dev.strata.wire.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows to send as RowDescription, DataRow..., CommandComplete. A null cell is SQL NULL.
 *
 * @param commandTag the CommandComplete tag; for row-returning results {@code SELECT n} is derived when null
 */
public record ResultSet(List<Column> columns, List<Object[]> rows, String commandTag) {
    public ResultSet {
        for (Object[] row : rows) {
            if (row.length != columns.size()) {
                throw new IllegalArgumentException("row of " + row.length + " cells for " + columns.size() + " columns");
            }
        }
    }

    /** A result with rows; the tag is {@code SELECT <rows>}. */
    public static ResultSet of(List<Column> columns, List<Object[]> rows) {
        return new ResultSet(columns, rows, null);
    }

    /** A single-row result. */
    public static ResultSet row(List<Column> columns, Object... cells) {
        List<Object[]> rows = new ArrayList<>(1);
        rows.add(cells);
        return new ResultSet(columns, rows, null);
    }

    /** A result without rows or columns: only CommandComplete with this tag. */
    public static ResultSet command(String tag) {
        return new ResultSet(List.of(), List.of(), tag);
    }

    /** True when the result has a row description (it may still have zero rows). */
    public boolean hasColumns() {
        return !columns.isEmpty();
    }

    public String tag() {
        return commandTag != null ? commandTag : "SELECT " + rows.size();
    }
}
