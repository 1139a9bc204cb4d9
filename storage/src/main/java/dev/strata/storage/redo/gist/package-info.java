/** GiST (resource manager 14) redo and mask, after PostgreSQL 15's {@code gistxlog.c}. */
package dev.strata.storage.redo.gist;
