package dev.strata.server.cli;

import dev.strata.server.StrataServer;
import dev.strata.server.config.ConfFile;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.Setting;
import dev.strata.storage.timeline.Timeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code strata pageserver}: runs a server in the foreground until SIGTERM or SIGINT, then shuts down cleanly
 * (stops listening, confirms what is durable to the primary, flushes layers, closes files).
 *
 * <p>One option per {@link Setting} (added from that table, so the options, strata.conf and the help agree);
 * {@code --config FILE} reads a strata.conf first and options on the command line override it.
 */
@Command(name = "pageserver", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = PageserverCommand.SettingOptions.class,
        description = "Runs the page server in the foreground until SIGTERM/SIGINT.",
        footer = {"", "A strata.conf holds the same settings, one 'name = value' per line (names without the dashes; "
                + "'#' starts a comment; quote values with spaces in single quotes):",
                "  data-dir = /var/lib/strata",
                "  primary = 'host=10.0.0.5 port=5432 user=replicator dbname=postgres'",
                "Options on the command line win over the file.",
                "", "Exit status: 0 after a clean shutdown, 1 when the server cannot start."})
public final class PageserverCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", order = 0,
            description = "Read settings from this strata.conf first (command-line options win).")
    Path configFile;

    private final Map<Setting, String> given = new EnumMap<>(Setting.class);

    /** Adds one option per setting, with the description and default from {@link Setting}. */
    public static final class SettingOptions implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            PageserverCommand cmd = (PageserverCommand) spec.userObject();
            int order = 1;
            for (Setting s : Setting.values()) {
                spec.addOption(OptionSpec.builder("--" + s.key()).paramLabel(s.label()).type(String.class)
                        .order(order++)
                        .description(s.description() + (s.defaultValue() == null ? "" : " Default: "
                                + s.defaultValue() + "."))
                        .setter(new CommandLine.Model.ISetter() {
                            @Override
                            public <T> T set(T value) {
                                if (value != null) {
                                    cmd.given.put(s, (String) value);
                                }
                                return null;
                            }
                        }).build());
            }
            return spec;
        }
    }

    /** The settings: defaults, then --config, then the options given. */
    ServerConfig config() {
        ServerConfig.Builder b = ServerConfig.builder();
        if (configFile != null) {
            b.apply(ConfFile.read(configFile));
        }
        given.forEach((s, v) -> b.set(s, v, "--" + s.key()));
        return b.build();
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        ServerConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            System.err.println("strata pageserver: " + e.getMessage());
            return 1;
        }
        StrataServer server;
        try {
            server = StrataServer.start(config);
        } catch (Exception e) {
            System.err.println("strata pageserver: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Strata is stopping: flushing layers and closing connections...");
            out.flush();
            server.close();
            out.println("Strata stopped cleanly.");
            out.flush();
            stopped.countDown();
        }, "strata-shutdown"));
        printBanner(out, server);
        stopped.await();
        return 0;
    }

    private static void printBanner(PrintStream out, StrataServer s) {
        ServerConfig c = s.config();
        out.println("Strata " + StrataServer.VERSION + " is running (Ctrl-C or SIGTERM stops it cleanly)");
        out.println("  data directory  " + c.dataDir().toAbsolutePath());
        out.println("  pg port         " + c.listenPg().host() + ":" + s.pgPort() + "   psql -h " + c.listenPg().host()
                + " -p " + s.pgPort() + " -c 'tenant list'");
        out.println("  HTTP API        http://" + c.listenHttp().host() + ":" + s.httpPort() + "/v1/status");
        out.println("  auth            " + c.auth().word());
        Timeline tl = s.defaultTimeline();
        if (tl != null) {
            out.println("  default         tenant " + tl.tenantId() + " timeline " + tl.timelineId());
        }
        out.flush();
    }
}
