package dev.strata.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.strata.server.demo.Cleanup;
import dev.strata.server.demo.Narrator;
import dev.strata.server.demo.PgBinaries;
import dev.strata.server.demo.Tour;
import dev.strata.server.demo.TourOptions;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code strata demo}: the newcomer's tour (see {@link Tour}). */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Newcomer's tour: a scratch PostgreSQL 15 primary, Strata attached, pgbench, pages, a branch "
                + "and a point-in-time backup started with stock postgres.",
                "Needs the PostgreSQL 15 binaries (initdb, pg_ctl, postgres, psql, pgbench); everything runs on "
                        + "127.0.0.1 in a temporary directory that is removed at the end."},
        footer = {"", "Exit status: 0 when the tour completed (with --once) or was stopped with Ctrl-C; 1 when a step "
                + "failed; 2 when PostgreSQL 15 is missing."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--once", description = "Run the tour, clean up and exit (for scripts) instead of waiting for "
            + "Ctrl-C.")
    boolean once;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "15",
            description = "How long pgbench runs while Strata ingests. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--scale", paramLabel = "N", defaultValue = "2",
            description = "pgbench scale factor of the initial data (1 = 100,000 accounts). Default: ${DEFAULT-VALUE}.")
    int scale;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "4",
            description = "pgbench client connections. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--pg-port", paramLabel = "PORT", defaultValue = "6400",
            description = "Strata's pg port (a free one is taken when it is busy). Default: ${DEFAULT-VALUE}.")
    int pgPort;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "9898",
            description = "Strata's HTTP port (a free one is taken when it is busy). Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Override
    public Integer call() throws Exception {
        PgBinaries pg;
        try {
            pg = PgBinaries.find();
        } catch (IllegalStateException e) {
            System.err.println("strata demo: " + e.getMessage());
            return 2;
        }
        quietLogs();
        Narrator say = new Narrator(System.out, System.console() != null, 7);
        Cleanup cleanup = new Cleanup();
        Thread hook = new Thread(() -> {
            if (cleanup.done()) {
                return;
            }
            say.endProgress();
            System.out.println();
            System.out.println("Stopping and cleaning up...");
            cleanup.close();
            System.out.println("Done.");
        }, "strata-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            new Tour(pg, new TourOptions(once, seconds, scale, clients, pgPort, httpPort), say, cleanup).run();
        } catch (Exception e) {
            say.endProgress();
            System.err.println();
            System.err.println("strata demo: " + e.getMessage());
            cleanup.close();
            return 1;
        }
        if (once) {
            say.blank();
            say.raw("Tour complete (--once): stopping and cleaning up.");
            cleanup.close();
            return 0;
        }
        Tour.awaitInterrupt(say);
        return 0;
    }

    /** The tour narrates; the server's own INFO logging would drown it (unless a log level was asked for). */
    private static void quietLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getLevel() == Level.INFO) {
            root.setLevel(Level.WARN);
        }
    }
}
