package dev.strata.storage.timeline;

/** Lifecycle of a timeline. */
public enum TimelineState {
    /** Being created or importing a base backup; not yet readable. */
    LOADING,
    /** Readable, ingesting when it has a WAL source. */
    ACTIVE,
    /** Something went wrong that needs an operator (see {@link Timeline#brokenReason()}); reads still work. */
    BROKEN,
    /** Being deleted. */
    STOPPING
}
