package dev.strata.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.strata.server.cli.DemoCommand;
import dev.strata.server.cli.GetPageCommand;
import dev.strata.server.cli.PageserverCommand;
import dev.strata.server.cli.RedoVerifyCommand;
import dev.strata.server.cli.WaldumpCommand;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of {@code strata.jar}: {@code strata <command> [options]}. */
@Command(name = "strata", mixinStandardHelpOptions = true, version = "strata 0.1.0",
        description = "A PostgreSQL 15 page server: WAL in through a replication slot, any page at any LSN out.",
        subcommands = {PageserverCommand.class, DemoCommand.class, WaldumpCommand.class, GetPageCommand.class,
                RedoVerifyCommand.class})
public final class Main implements Runnable {
    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Log at DEBUG level (same as --log-level=debug).")
    void verbose(boolean on) {
        if (on) {
            setLogLevel("debug");
        }
    }

    @Option(names = "--log-level", scope = CommandLine.ScopeType.INHERIT, paramLabel = "LEVEL",
            description = "Log level: error, warn, info (default), debug, trace.")
    void logLevel(String level) {
        setLogLevel(level);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static void setLogLevel(String level) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level parsed = Level.toLevel(level, null);
        if (parsed == null) {
            throw new CommandLine.ParameterException(new CommandLine(new Main()),
                    "unknown log level '" + level + "' (expected error, warn, info, debug or trace)");
        }
        root.setLevel(parsed);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
