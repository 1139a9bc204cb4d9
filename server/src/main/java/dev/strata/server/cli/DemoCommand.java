package dev.strata.server.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code strata demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Newcomer's tour: a scratch PostgreSQL 15 primary, Strata attached, pgbench, pages, a branch and a point-in-time backup.")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("strata demo: not available in this build");
        return 2;
    }
}
