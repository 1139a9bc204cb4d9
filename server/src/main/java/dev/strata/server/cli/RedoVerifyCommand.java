package dev.strata.server.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code strata redo-verify}. */
@Command(name = "redo-verify", mixinStandardHelpOptions = true, description = "Checks every record's redo against the after-images of a primary run with wal_consistency_checking=all.")
public final class RedoVerifyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("strata redo-verify: not available in this build");
        return 2;
    }
}
