/**
 * WAL redo in Java: PostgreSQL 15's page changes, byte-exact modulo the masks of {@code wal_consistency_checking}.
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link dev.strata.storage.redo.JavaPageRedo}: the {@link dev.strata.storage.redo.PageRedo} of the read
 *       path (base image + values oldest first → page).</li>
 *   <li>{@link dev.strata.storage.redo.RmgrRegistry}: redo per resource manager (XLOG, Heap, Heap2, Sequence,
 *       Generic here; the index access methods through {@link dev.strata.storage.redo.IndexRmgrs}).</li>
 *   <li>{@link dev.strata.storage.redo.Masks}: {@code rm_mask} per resource manager, for comparisons.</li>
 *   <li>{@link dev.strata.storage.redo.StrataEffects}: the {@link dev.strata.storage.redo.StrataRecord} values
 *       an ingest stores for pages a record changes without referencing them.</li>
 *   <li>{@link dev.strata.storage.redo.page.PageOps} and {@link dev.strata.storage.redo.mask.BufMask}: the
 *       {@code bufpage.c} and {@code bufmask.c} primitives every access method uses.</li>
 *   <li>{@link dev.strata.storage.redo.verify.RedoVerifier}: record-by-record verification against the primary's
 *       after-images ({@code strata redo-verify}).</li>
 * </ul>
 *
 * <h2>What is stored under which key</h2>
 * <ul>
 *   <li>Relation blocks (main, init and VM forks): the whole record as a PG_RECORD value under every block it
 *       references (will-init when the block has WILL_INIT or an applied image), plus, on VM blocks,
 *       CLEAR_VM_FLAGS and TRUNCATE_VM values from {@link dev.strata.storage.redo.StrataEffects}.</li>
 *   <li>SLRU pages ({@code 01|kind|1|segno|0|blkno}, page = segno * 32 + blkno): CLOG ZEROPAGE and MultiXact
 *       ZERO_OFF_PAGE / ZERO_MEM_PAGE as will-init PG_RECORD values on the page they name; CLOG_SET_STATUS,
 *       MULTIXACT_OFFSET and MULTIXACT_MEMBERS values from {@link dev.strata.storage.redo.StrataEffects}.
 *       (Transaction commit/abort and MultiXact CREATE_ID PG_RECORD values are also accepted on those pages.)
 *       A page with no base starts from zeros, as PostgreSQL reads a missing SLRU page in recovery.</li>
 * </ul>
 *
 * <h2>Visibility-map pages without WAL</h2>
 * VACUUM pins the map page of every heap block it scans, and {@code vm_extend} creates a missing map page
 * (PageInit'ed, no bit set) without writing WAL. Strata has no value for such a block; PostgreSQL reads a missing
 * VM block as "no bit set", the only content such a page can have, so serving it as missing (or as an empty
 * PageInit'ed page) is equivalent. Every VM page a record or a StrataEffects value touches is rebuilt byte for byte
 * ({@code RedoVerifyIT} compares whole VM forks with the primary's).
 *
 * <h2>Free space map</h2>
 * PostgreSQL does not WAL-log free-space-map updates: a standby's FSM is a hint it maintains locally. What Strata
 * serves for an FSM block is therefore:
 * <ul>
 *   <li>the newest full-page image of the block found in the WAL (XLOG FPI or FPI_FOR_HINT, which the primary
 *       writes for FSM pages when data checksums or wal_log_hints are on, and log_newpage), replayed like any
 *       image: restored, LSN set to the record's end;</li>
 *   <li>an all-zero page when the WAL holds no image of it. PostgreSQL reads an all-zero FSM page as a new page
 *       and initialises it ({@code fsm_readbuf}), i.e. "no free space known" for the heap blocks it covers; the
 *       FSM is self-correcting and the next VACUUM refills it. Nothing is lost but free-space hints;</li>
 *   <li>after SMGR_TRUNCATE with the FSM flag, the ingest drops the FSM blocks past the new FSM size and stores an
 *       all-zero image on the last remaining block when the truncation point falls inside it (where PostgreSQL
 *       zeroes only that page's tail: a zero page is a valid, more conservative hint).</li>
 * </ul>
 * {@code FsmServedAsZerosIT} shows a primary running on, and VACUUM rebuilding, an FSM fork replaced by zeros.
 *
 * <h2>Cluster settings</h2>
 * Only one redo result depends on the primary's configuration: Heap2 VISIBLE stamps the heap page LSN when
 * {@code XLogHintBitIsNeeded()} (data checksums or wal_log_hints), so
 * {@link dev.strata.storage.redo.RmgrRegistry#standard(boolean)} takes it. MultiXact CREATE_ID is replayed as
 * PostgreSQL 15.16 and later do (also storing the next multixact's starting offset).
 */
package dev.strata.storage.redo;
