package dev.strata.server.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code strata waldump}. */
@Command(name = "waldump", mixinStandardHelpOptions = true, description = "Decodes WAL segment files like pg_waldump.")
public final class WaldumpCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("strata waldump: not available in this build");
        return 2;
    }
}
