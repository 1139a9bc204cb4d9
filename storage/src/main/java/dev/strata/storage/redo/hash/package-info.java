/** Hash index (resource manager 12) redo and mask, after PostgreSQL 15's {@code hash_xlog.c}. */
package dev.strata.storage.redo.hash;
