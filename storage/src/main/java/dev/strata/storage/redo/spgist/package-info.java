/** SP-GiST (resource manager 16) redo and mask, after PostgreSQL 15's {@code spgxlog.c}. */
package dev.strata.storage.redo.spgist;
