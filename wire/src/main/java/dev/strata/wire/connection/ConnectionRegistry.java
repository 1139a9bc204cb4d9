package dev.strata.wire.connection;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live connections by process id (BackendKeyData), so that a CancelRequest reaches the connection it names,
 * and the count the connection limit is checked against.
 */
public final class ConnectionRegistry {
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger nextPid = new AtomicInteger(1000);
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<Integer, PgConnectionHandler> byPid = new ConcurrentHashMap<>();

    /** A new process id; ids are positive and wrap around without ever being 0. */
    int allocatePid() {
        return nextPid.updateAndGet(p -> p >= Integer.MAX_VALUE - 1 ? 1000 : p + 1);
    }

    int secret() {
        return random.nextInt();
    }

    void register(int pid, PgConnectionHandler handler) {
        byPid.put(pid, handler);
    }

    void unregister(int pid, PgConnectionHandler handler) {
        byPid.remove(pid, handler);
    }

    /** Counts a new connection; returns the number open including it. */
    int opened() {
        return open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    public int openConnections() {
        return open.get();
    }

    /** Cancels the command of the connection with this pid when the secret matches; silently ignored otherwise. */
    void cancel(int pid, int secret) {
        PgConnectionHandler h = byPid.get(pid);
        if (h != null) {
            h.cancelIfSecretMatches(secret);
        }
    }
}
