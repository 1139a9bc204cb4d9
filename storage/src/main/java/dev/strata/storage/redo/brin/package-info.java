/** BRIN (resource manager 17) redo and mask, after PostgreSQL 15's {@code brin_xlog.c}. */
package dev.strata.storage.redo.brin;
