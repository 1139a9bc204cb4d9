package dev.strata.server.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code strata getpage}. */
@Command(name = "getpage", mixinStandardHelpOptions = true, description = "Fetches one page from a running Strata through the page service.")
public final class GetPageCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("strata getpage: not available in this build");
        return 2;
    }
}
