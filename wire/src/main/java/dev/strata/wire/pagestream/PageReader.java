package dev.strata.wire.pagestream;

import dev.strata.storage.CorruptionException;
import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.LsnBelowGcCutoffException;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes page requests against a data-directory view: the LSN rules of Neon's page service and the storage
 * reads, each turned into a response frame. Never throws: every failure becomes a tag-103 frame whose text says
 * what was asked, what went wrong and what to do.
 */
public final class PageReader {
    private static final Logger LOG = LoggerFactory.getLogger(PageReader.class);

    private PageReader() {
    }

    /** A request the LSN rules refuse outright. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * The LSN to read at (Neon's {@code effective_request_lsn}): {@code not_modified_since} when it is beyond what
     * is ingested (the caller waits for it), else {@code min(last_record_lsn, request_lsn)}; request_lsn
     * {@link Lsn#MAX} means latest.
     *
     * @throws Refused for request_lsn 0, request_lsn below not_modified_since, an LSN below the GC cutoff or before
     *                 the timeline starts, or waiting on a broken timeline
     */
    public static long effectiveLsn(PageRequest r, Timeline tl) throws Refused {
        long req = r.requestLsn();
        long nms = r.notModifiedSince();
        if (req == 0) {
            throw new Refused("invalid request: request_lsn is 0; send the LSN to read at, or FFFFFFFF/FFFFFFFF for "
                    + "the latest");
        }
        if (Long.compareUnsigned(req, nms) < 0) {
            throw new Refused("invalid request: request_lsn " + Lsn.format(req) + " is below not_modified_since "
                    + Lsn.format(nms) + "; not_modified_since must not exceed request_lsn");
        }
        long last = tl.lastRecordLsn();
        long lsn = Long.compareUnsigned(nms, last) > 0 ? nms : (Long.compareUnsigned(req, last) < 0 ? req : last);
        long cutoff = tl.gcCutoffLsn();
        if (Long.compareUnsigned(lsn, cutoff) < 0) {
            throw new Refused("tried to request a page version that was garbage collected: LSN " + Lsn.format(lsn)
                    + " is below the GC cutoff " + Lsn.format(cutoff) + " of timeline " + tl.timelineId()
                    + "; read at or above " + Lsn.format(cutoff) + ", or hold an LSN lease ('lease lsn') on LSNs "
                    + "you will read later");
        }
        if (Long.compareUnsigned(lsn, tl.startLsn()) < 0) {
            throw new Refused("LSN " + Lsn.format(lsn) + " is before the start of timeline " + tl.timelineId() + " ("
                    + Lsn.format(tl.startLsn()) + "); read at or above it");
        }
        if (Long.compareUnsigned(lsn, last) > 0 && tl.state() == TimelineState.BROKEN) {
            throw new Refused("timeline " + tl.timelineId() + " is broken and will not receive WAL up to "
                    + Lsn.format(lsn) + " (last_record_lsn " + Lsn.format(last) + "): " + tl.brokenReason());
        }
        return lsn;
    }

    /** Reads what {@code r} asks at {@code lsn} and encodes the response (or a 103). */
    public static ByteBuf execute(PageStreamCodec codec, ByteBufAllocator alloc, PageRequest r, DatadirView view,
                                  long lsn) {
        try {
            return switch (r.tag()) {
                case PageRequest.EXISTS -> codec.exists(alloc, r, view.relExists(r.rel(), lsn));
                case PageRequest.NBLOCKS -> codec.nblocks(alloc, r, nblocks(view, r.rel(), lsn));
                case PageRequest.GET_PAGE -> getPage(codec, alloc, r, view, lsn);
                case PageRequest.DB_SIZE -> codec.dbSize(alloc, r, view.databaseSize(r.dbNode(), lsn));
                default -> codec.slruSegment(alloc, r, view.slruSegment(r.slruKind(), r.slruSegno(), lsn));
            };
        } catch (LsnBelowGcCutoffException e) {
            return codec.error(alloc, r, "tried to request a page version that was garbage collected: "
                    + e.getMessage());
        } catch (KeyNotFoundException e) {
            return codec.error(alloc, r, describe(r, lsn) + ": " + e.getMessage());
        } catch (CorruptionException e) {
            LOG.error("{}: {}", describe(r, lsn), e.getMessage());
            return codec.error(alloc, r, describe(r, lsn) + " failed, stored data is corrupt: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{} failed", describe(r, lsn), e);
            return codec.error(alloc, r, describe(r, lsn) + " failed: " + e);
        }
    }

    /** Neon's rule: a missing FSM or VM fork has 0 blocks; any other missing relation is an error. */
    private static int nblocks(DatadirView view, RelTag rel, long lsn) {
        boolean optionalFork = rel.forkNum() == RelTag.FSM_FORKNUM || rel.forkNum() == RelTag.VISIBILITYMAP_FORKNUM;
        if (optionalFork && !view.relExists(rel, lsn)) {
            return 0;
        }
        return view.relSize(rel, lsn);
    }

    /** A block at or past the relation's size at that LSN reads as zeros (a truncated or not yet extended block). */
    private static ByteBuf getPage(PageStreamCodec codec, ByteBufAllocator alloc, PageRequest r, DatadirView view,
                                   long lsn) {
        int size = view.relSize(r.rel(), lsn);
        if (Integer.compareUnsigned(r.blkno(), size) >= 0) {
            return codec.page(alloc, r, null);
        }
        return codec.page(alloc, r, view.relPage(r.rel(), r.blkno(), lsn));
    }

    /** "GetPage of 1663/5/16384 block 7 at 0/16B3748" and so on, for messages. */
    public static String describe(PageRequest r, long lsn) {
        String at = " at " + Lsn.format(lsn);
        return switch (r.tag()) {
            case PageRequest.EXISTS -> "Exists of " + r.rel() + at;
            case PageRequest.NBLOCKS -> "Nblocks of " + r.rel() + at;
            case PageRequest.GET_PAGE -> "GetPage of " + r.rel() + " block " + Integer.toUnsignedString(r.blkno()) + at;
            case PageRequest.DB_SIZE -> "DbSize of database " + Integer.toUnsignedString(r.dbNode()) + at;
            default -> "GetSlruSegment of " + slruName(r.slruKind()) + " segment "
                    + String.format("%04X", r.slruSegno()) + at;
        };
    }

    private static String slruName(int kind) {
        return switch (kind) {
            case 0 -> "pg_xact";
            case 1 -> "pg_multixact/members";
            default -> "pg_multixact/offsets";
        };
    }
}
