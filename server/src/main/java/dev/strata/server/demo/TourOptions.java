package dev.strata.server.demo;

/**
 * How the tour runs.
 *
 * @param once           run the tour, clean up and return (for scripts) instead of waiting for Ctrl-C
 * @param seconds        how long pgbench runs while Strata ingests
 * @param scale          pgbench scale factor of the initial data (1 = 100,000 accounts)
 * @param clients        pgbench client connections
 * @param listenPg       the pg port to try first (a free one is used when it is taken)
 * @param listenHttp     the HTTP port to try first
 */
public record TourOptions(boolean once, int seconds, int scale, int clients, int listenPg, int listenHttp) {
}
