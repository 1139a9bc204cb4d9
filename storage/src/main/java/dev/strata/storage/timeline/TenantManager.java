package dev.strata.storage.timeline;

import java.util.List;

/** The tenants under one data directory; opening it loads every tenant and timeline from disk. */
public interface TenantManager extends AutoCloseable {
    /** @param tenantId null for a new random id */
    Tenant createTenant(String tenantId);

    List<Tenant> tenants();

    /** @throws dev.strata.storage.StorageException naming the id when there is no such tenant */
    Tenant tenant(String tenantId);

    /** Flushes open layers and stops background work. */
    @Override
    void close();
}
