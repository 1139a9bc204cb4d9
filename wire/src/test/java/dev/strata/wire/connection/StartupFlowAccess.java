package dev.strata.wire.connection;

import java.net.SocketAddress;

/** Test access to package-private startup checks. */
public final class StartupFlowAccess {
    private StartupFlowAccess() {
    }

    public static boolean isLoopback(SocketAddress a) {
        return StartupFlow.isLoopback(a);
    }
}
