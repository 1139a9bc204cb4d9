package dev.strata.wire.walsender;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporary physical replication slots, as {@code pg_basebackup -X stream} creates one per run. Strata keeps no
 * WAL beyond the synthetic segment of a backup, so a slot reserves nothing: it only has a name, an owner
 * connection, and disappears with it. Permanent slots are refused.
 */
public final class ReplicationSlots {
    private final ConcurrentHashMap<String, Integer> owners = new ConcurrentHashMap<>();

    /** Creates a temporary slot owned by connection {@code pid}; false when the name is taken. */
    public boolean create(String name, int pid) {
        return owners.putIfAbsent(name, pid) == null;
    }

    public boolean exists(String name) {
        return owners.containsKey(name);
    }

    /** The connection that owns the slot, or null. */
    public Integer owner(String name) {
        return owners.get(name);
    }

    public boolean drop(String name) {
        return owners.remove(name) != null;
    }

    /** Drops every slot of a closed connection. */
    public void dropAll(int pid) {
        owners.values().removeIf(p -> p == pid);
    }
}
