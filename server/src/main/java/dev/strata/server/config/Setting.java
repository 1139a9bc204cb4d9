package dev.strata.server.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * Every setting of {@code strata pageserver}: its name (the long option without {@code --}, and the key in
 * strata.conf), the form of its value, its default and what it does. One table serves the command line, the
 * configuration file, validation and the documentation.
 */
public enum Setting {
    DATA_DIR("data-dir", "DIR", "./.strata", "Where tenants, timelines and layer files live.", Path::of),
    LISTEN_PG("listen-pg", "HOST:PORT", "127.0.0.1:6400",
            "The PostgreSQL-protocol port (admin commands, page service, backups).", HostPort::parse),
    LISTEN_HTTP("listen-http", "HOST:PORT", "127.0.0.1:9898", "The HTTP API and /metrics.", HostPort::parse),
    PRIMARY("primary", "CONNINFO", null, "A PostgreSQL 15 primary (libpq conninfo). On first start Strata creates a "
            + "tenant and a timeline (the server's default), imports the primary's base backup and streams its WAL; "
            + "later starts resume streaming.", s -> s),
    SLOT("slot", "NAME", "strata", "The physical replication slot used on the primary.", s -> s),
    AUTH("auth", "trust|scram|jwt", "trust", "Client authentication, on the pg port and the HTTP API.",
            AuthMode::parse),
    SCRAM_USERS("scram-users", "FILE", null, "For --auth scram: the users file (one 'name:SCRAM-SHA-256$...' "
            + "verifier per line, as pg_authid.rolpassword holds it).", Path::of),
    JWT_PUBLIC_KEY("jwt-public-key", "FILE", null, "For --auth jwt: the Ed25519 public key(s) that verify "
            + "tokens: a PEM file, or a directory of PEM files.", Path::of),
    TLS_CERT("tls-cert", "FILE", null, "A PEM certificate chain: the pg port then accepts SSLRequest.", Path::of),
    TLS_KEY("tls-key", "FILE", null, "The PEM private key of --tls-cert.", Path::of),
    CHECKPOINT_DISTANCE("checkpoint-distance", "SIZE", "256MB",
            "Freeze the open in-memory layer and write an L0 file after this much WAL.", Units::parseSize),
    CHECKPOINT_TIMEOUT("checkpoint-timeout", "DURATION", "10min",
            "... or when the open layer is this old.", Units::parseDuration),
    COMPACTION_THRESHOLD("compaction-threshold", "N", "10",
            "Compact L0 files into L1 files once this many have piled up.", Setting::positiveInt),
    COMPACTION_PERIOD("compaction-period", "DURATION", "20s",
            "How often background compaction checks whether there is work.", Units::parseDuration),
    IMAGE_CREATION_THRESHOLD("image-creation-threshold", "N", "3",
            "Write an image layer for a key range once this many deltas lie above its newest image.",
            Setting::positiveInt),
    GC_HORIZON("gc-horizon", "SIZE", "64MB",
            "GC keeps every version needed to read at LSNs within this much WAL of the latest.", Units::parseSize),
    PITR_INTERVAL("pitr-interval", "DURATION", "7d",
            "GC also keeps every version needed to read at LSNs written within this time (0: no time limit).",
            Units::parseDuration),
    GC_PERIOD("gc-period", "DURATION", "1h", "How often background GC runs (0 turns it off).",
            Units::parseDuration),
    PAGE_CACHE_SIZE("page-cache-size", "SIZE", "64MB", "Memory for cached layer file blocks, shared by all "
            + "timelines.", Units::parseSize),
    WAIT_LSN_TIMEOUT("wait-lsn-timeout", "DURATION", "300s",
            "How long a read at an LSN not yet ingested waits before it fails.", Units::parseDuration);

    private final String key;
    private final String label;
    private final String defaultValue;
    private final String description;
    private final Function<String, ?> parser;

    Setting(String key, String label, String defaultValue, String description, Function<String, ?> parser) {
        this.key = key;
        this.label = label;
        this.defaultValue = defaultValue;
        this.description = description;
        this.parser = parser;
    }

    /** The name in strata.conf; the long option is {@code --} + this. */
    public String key() {
        return key;
    }

    public String label() {
        return label;
    }

    /** The default as text, or null when the setting is off unless given. */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** Parses a value; throws IllegalArgumentException saying what is wrong with it. */
    Object parse(String text) {
        return parser.apply(text);
    }

    /** The setting named {@code key} (as in strata.conf; {@code _} and {@code -} are interchangeable). */
    public static Setting byKey(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Setting s : values()) {
            if (s.key.equals(k)) {
                return s;
            }
        }
        return null;
    }

    private static Integer positiveInt(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the expected form
        }
        throw new IllegalArgumentException("not a positive whole number: '" + text + "'");
    }
}
