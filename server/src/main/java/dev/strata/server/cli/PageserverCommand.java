package dev.strata.server.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code strata pageserver}. */
@Command(name = "pageserver", mixinStandardHelpOptions = true, description = "Runs the page server in the foreground until SIGTERM/SIGINT.")
public final class PageserverCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("strata pageserver: not available in this build");
        return 2;
    }
}
