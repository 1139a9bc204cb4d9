package dev.strata.storage.io;

/**
 * A hook called before every step that changes durable state (a write to a layer or metadata file, an fsync, a
 * rename, a deletion). Production uses {@link #NONE}; crash tests install one that throws at a chosen step and at
 * every step after it, then abandon the engine and reopen the directory, which is what a process killed at that
 * step would leave behind.
 */
@FunctionalInterface
public interface FaultInjector {
    FaultInjector NONE = point -> {
    };

    /**
     * Called before the step named {@code point} (for example {@code "layer.write"}, {@code "metadata.rename"}).
     *
     * @throws RuntimeException to make the step, and the operation it belongs to, fail
     */
    void beforeStep(String point);
}
