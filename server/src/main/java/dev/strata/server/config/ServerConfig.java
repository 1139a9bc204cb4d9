package dev.strata.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The settings of one server, validated. Built from defaults, then a strata.conf, then the command line (later
 * sources win); {@link Builder#set} checks each value as it arrives so an error names where the bad value came
 * from.
 */
public final class ServerConfig {
    private final Map<Setting, Object> values;
    private final Map<Setting, String> origins;

    private ServerConfig(Map<Setting, Object> values, Map<Setting, String> origins) {
        this.values = Collections.unmodifiableMap(new EnumMap<>(values));
        this.origins = Collections.unmodifiableMap(new EnumMap<>(origins));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults, except the data directory; ports 0 (any free port). Convenient for tests and the demo. */
    public static Builder forTests(Path dataDir) {
        return builder().set(Setting.DATA_DIR, dataDir.toString(), "test")
                .set(Setting.LISTEN_PG, "127.0.0.1:0", "test")
                .set(Setting.LISTEN_HTTP, "127.0.0.1:0", "test");
    }

    /** Accumulates settings; each {@link #set} validates its value. */
    public static final class Builder {
        private final Map<Setting, Object> values = new EnumMap<>(Setting.class);
        private final Map<Setting, String> origins = new EnumMap<>(Setting.class);

        private Builder() {
            for (Setting s : Setting.values()) {
                if (s.defaultValue() != null) {
                    values.put(s, s.parse(s.defaultValue()));
                    origins.put(s, "default");
                }
            }
        }

        /**
         * Sets one value.
         *
         * @param origin where it came from ("--listen-pg", "strata.conf line 3"), used in error messages
         * @throws IllegalArgumentException naming the origin, the setting and what is wrong
         */
        public Builder set(Setting setting, String text, String origin) {
            try {
                values.put(setting, setting.parse(text));
                origins.put(setting, origin);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + ": bad value for " + setting.key() + ": "
                        + e.getMessage(), e);
            }
            return this;
        }

        /** Applies every entry of a parsed strata.conf. */
        public Builder apply(ConfFile file) {
            for (ConfFile.Entry e : file.entries()) {
                set(e.setting(), e.value(), file.path() + " line " + e.line());
            }
            return this;
        }

        /** Checks the combinations (e.g. jwt needs a key file) and freezes the settings. */
        public ServerConfig build() {
            ServerConfig c = new ServerConfig(values, origins);
            c.checkCombinations();
            return c;
        }
    }

    private void checkCombinations() {
        if (auth() == AuthMode.JWT && jwtPublicKey() == null) {
            throw new IllegalArgumentException("--auth jwt needs --jwt-public-key FILE (an Ed25519 public key, PEM)");
        }
        if (auth() == AuthMode.SCRAM && scramUsers() == null) {
            throw new IllegalArgumentException("--auth scram needs --scram-users FILE (name:SCRAM-SHA-256$... lines)");
        }
        if ((tlsCert() == null) != (tlsKey() == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both or neither");
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T get(Setting s) {
        return (T) values.get(s);
    }

    /** Where a value came from: "default", an option name, or a strata.conf line; null when unset. */
    public String origin(Setting s) {
        return origins.get(s);
    }

    public Path dataDir() {
        return get(Setting.DATA_DIR);
    }

    public HostPort listenPg() {
        return get(Setting.LISTEN_PG);
    }

    public HostPort listenHttp() {
        return get(Setting.LISTEN_HTTP);
    }

    /** The primary's conninfo, or null. */
    public String primary() {
        return get(Setting.PRIMARY);
    }

    public String slot() {
        return get(Setting.SLOT);
    }

    public AuthMode auth() {
        return get(Setting.AUTH);
    }

    public Path scramUsers() {
        return get(Setting.SCRAM_USERS);
    }

    public Path jwtPublicKey() {
        return get(Setting.JWT_PUBLIC_KEY);
    }

    public Path tlsCert() {
        return get(Setting.TLS_CERT);
    }

    public Path tlsKey() {
        return get(Setting.TLS_KEY);
    }

    public long checkpointDistance() {
        return get(Setting.CHECKPOINT_DISTANCE);
    }

    public Duration checkpointTimeout() {
        return get(Setting.CHECKPOINT_TIMEOUT);
    }

    public int compactionThreshold() {
        return get(Setting.COMPACTION_THRESHOLD);
    }

    public Duration compactionPeriod() {
        return get(Setting.COMPACTION_PERIOD);
    }

    public int imageCreationThreshold() {
        return get(Setting.IMAGE_CREATION_THRESHOLD);
    }

    public long gcHorizon() {
        return get(Setting.GC_HORIZON);
    }

    public Duration gcPeriod() {
        return get(Setting.GC_PERIOD);
    }

    public Duration pitrInterval() {
        return get(Setting.PITR_INTERVAL);
    }

    public long pageCacheSize() {
        return get(Setting.PAGE_CACHE_SIZE);
    }

    public Duration waitLsnTimeout() {
        return get(Setting.WAIT_LSN_TIMEOUT);
    }
}
