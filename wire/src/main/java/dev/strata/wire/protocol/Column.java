package dev.strata.wire.protocol;

/** One column of a result set: its name and type. */
public record Column(String name, PgType type) {
    public static Column text(String name) {
        return new Column(name, PgType.TEXT);
    }

    public static Column int8(String name) {
        return new Column(name, PgType.INT8);
    }

    public static Column int4(String name) {
        return new Column(name, PgType.INT4);
    }
}
