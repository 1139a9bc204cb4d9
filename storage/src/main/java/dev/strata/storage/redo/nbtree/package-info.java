/**
 * Btree (resource manager 11) redo and mask, after PostgreSQL 15's {@code nbtxlog.c} and {@code nbtdedup.c}.
 *
 * <p>The package also holds what the six index access methods' redo shares: {@link
 * dev.strata.storage.redo.nbtree.IndexPage} (the standard page layout over {@code PageOps}, with redo's error
 * semantics) and {@link dev.strata.storage.redo.nbtree.IndexRedoSupport} (record data bounds, IndexTupleData and
 * ItemPointerData fields, errors naming the record).
 */
package dev.strata.storage.redo.nbtree;
