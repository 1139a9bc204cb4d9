package dev.strata.wire.walsender;

import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.SqlState;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The options of PostgreSQL 15's {@code BASE_BACKUP ( name [value] [, ...] )} (basebackup.c
 * {@code parse_basebackup_options}), validated as it validates them: names case-insensitive, each at most once,
 * booleans true/false/on/off/1/0 (no value means true).
 *
 * @param label             LABEL, default "base backup"
 * @param progress          PROGRESS: estimate the size up front
 * @param fastCheckpoint    CHECKPOINT 'fast' (Strata never needs to wait for a checkpoint either way)
 * @param waitForWal        WAIT, default true; false means the client streams the WAL itself (-X stream)
 * @param includeWal        WAL: put the backup's WAL into base.tar (-X fetch)
 * @param maxRateKbps       MAX_RATE in kB/s, 0 for unlimited
 * @param manifest          MANIFEST 'yes' or 'force-encode'
 * @param forceEncode       MANIFEST 'force-encode': every path hex-encoded
 * @param manifestChecksums MANIFEST_CHECKSUMS: NONE, CRC32C (default), SHA224, SHA256, SHA384, SHA512
 * @param gzipLevel         COMPRESSION 'gzip' level (1..9, -1 for the default), or 0 for no compression
 */
public record BaseBackupOptions(String label, boolean progress, boolean fastCheckpoint, boolean waitForWal,
                                boolean includeWal, int maxRateKbps, boolean manifest, boolean forceEncode,
                                String manifestChecksums, int gzipLevel) {
    /** One {@code name [value]} pair as parsed. */
    public record Option(String name, String value) {
    }

    /** Builds the options from the parsed pairs; throws 42601/22023/0A000 naming the offending option. */
    public static BaseBackupOptions of(List<Option> options) {
        String label = "base backup";
        boolean progress = false;
        boolean fast = false;
        boolean wait = true;
        boolean wal = false;
        int rate = 0;
        boolean manifest = false;
        boolean force = false;
        String checksums = null;
        String compression = "none";
        String detail = null;
        Set<String> seen = new HashSet<>();
        for (Option o : options) {
            String n = o.name().toLowerCase(Locale.ROOT);
            if (!seen.add(n)) {
                throw PgException.syntax("duplicate option \"" + n + "\"", null);
            }
            switch (n) {
                case "label" -> label = required(o);
                case "progress" -> progress = bool(o);
                case "checkpoint" -> fast = checkpoint(o);
                case "wait" -> wait = bool(o);
                case "wal" -> wal = bool(o);
                case "max_rate" -> rate = maxRate(o);
                case "tablespace_map", "verify_checksums" -> bool(o);
                case "manifest" -> {
                    String v = required(o).toLowerCase(Locale.ROOT);
                    force = v.equals("force-encode");
                    manifest = force || parseBool(v, o);
                }
                case "manifest_checksums" -> checksums = manifestChecksums(o);
                case "target" -> target(o);
                case "compression" -> compression = required(o).toLowerCase(Locale.ROOT);
                case "compression_detail" -> detail = required(o);
                default -> throw PgException.syntax("unrecognized base backup option \"" + n + "\"", null);
            }
        }
        if (checksums != null && !manifest) {
            throw new PgException(SqlState.SYNTAX_ERROR, "manifest checksums require a backup manifest");
        }
        return new BaseBackupOptions(label, progress, fast, wait, wal, rate, manifest, force,
                checksums == null ? "CRC32C" : checksums, gzipLevel(compression, detail));
    }

    private static String required(Option o) {
        if (o.value() == null) {
            throw PgException.syntax("option \"" + o.name() + "\" needs a value", null);
        }
        return o.value();
    }

    private static boolean bool(Option o) {
        return o.value() == null || parseBool(o.value().toLowerCase(Locale.ROOT), o);
    }

    private static boolean parseBool(String v, Option o) {
        return switch (v) {
            case "true", "on", "1", "yes" -> true;
            case "false", "off", "0", "no" -> false;
            default -> throw new PgException(SqlState.SYNTAX_ERROR, o.name() + " requires a Boolean value, got \""
                    + v + "\"");
        };
    }

    private static boolean checkpoint(Option o) {
        String v = required(o).toLowerCase(Locale.ROOT);
        if (!v.equals("fast") && !v.equals("spread")) {
            throw new PgException(SqlState.SYNTAX_ERROR, "unrecognized checkpoint type: \"" + v + "\"");
        }
        return v.equals("fast");
    }

    private static int maxRate(Option o) {
        try {
            int rate = Integer.parseInt(required(o));
            if (rate < 32 || rate > 1_048_576) {
                throw new PgException(SqlState.INVALID_PARAMETER_VALUE, rate + " is out of the range 32..1048576 "
                        + "for MAX_RATE (kB/s)");
            }
            return rate;
        } catch (NumberFormatException e) {
            throw PgException.syntax("MAX_RATE requires an integer (kB/s)", null);
        }
    }

    private static String manifestChecksums(Option o) {
        String v = required(o).toUpperCase(Locale.ROOT).replace("-", "");
        if (!List.of("NONE", "CRC32C", "SHA224", "SHA256", "SHA384", "SHA512").contains(v)) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "unrecognized checksum algorithm: \""
                    + o.value() + "\"");
        }
        return v;
    }

    private static void target(Option o) {
        String v = required(o).toLowerCase(Locale.ROOT);
        if (!v.equals("client")) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "backup target \"" + v + "\" is not available: "
                    + "Strata sends backups to the client only", "run pg_basebackup without --target");
        }
    }

    private static int gzipLevel(String compression, String detail) {
        switch (compression) {
            case "none" -> {
                if (detail != null) {
                    throw new PgException(SqlState.SYNTAX_ERROR, "compression detail cannot be given without "
                            + "compression");
                }
                return 0;
            }
            case "gzip" -> {
                if (detail == null) {
                    return -1;
                }
                String level = detail.toLowerCase(Locale.ROOT).replace("level=", "");
                try {
                    int l = Integer.parseInt(level);
                    if (l < 1 || l > 9) {
                        throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "gzip level " + l
                                + " is out of the range 1..9");
                    }
                    return l;
                } catch (NumberFormatException e) {
                    throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "unrecognized compression detail \""
                            + detail + "\": give a gzip level 1..9");
                }
            }
            default -> throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "server-side " + compression
                    + " compression is not available", "use --compress=server-gzip, or compress on the client "
                    + "(e.g. --compress=client-" + compression + ")");
        }
    }
}
