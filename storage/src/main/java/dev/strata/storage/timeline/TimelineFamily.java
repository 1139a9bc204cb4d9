package dev.strata.storage.timeline;

import java.util.List;

/** What a timeline needs to know about the other timelines of its tenant. */
public interface TimelineFamily {
    /** Branch points (ancestor LSNs) of the timelines branched from {@code timelineId}. */
    List<Long> branchPointsOf(String timelineId);

    /** Held while GC moves a cutoff and while a branch checks its LSN against it, so neither misses the other. */
    Object gcLock();
}
