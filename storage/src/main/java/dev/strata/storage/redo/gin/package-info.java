/**
 * GIN (resource manager 13) redo and mask, after PostgreSQL 15's {@code ginxlog.c}, with the posting list codec of
 * {@code ginpostinglist.c} that data leaf redo re-encodes with.
 */
package dev.strata.storage.redo.gin;
