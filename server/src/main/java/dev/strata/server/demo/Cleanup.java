package dev.strata.server.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * What the demo started, undone in reverse order exactly once: by the tour's end with {@code --once}, or by the
 * shutdown hook when the user presses Ctrl-C (whichever comes first).
 */
public final class Cleanup implements AutoCloseable {
    private record Step(String what, AutoCloseable action) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private boolean done;

    public synchronized void add(String what, AutoCloseable action) {
        steps.push(new Step(what, action));
    }

    /** Deletes a directory tree at cleanup. */
    public void deleteAtEnd(Path dir) {
        add("remove " + dir, () -> deleteTree(dir));
    }

    /** True once everything has been undone. */
    public synchronized boolean done() {
        return done;
    }

    @Override
    public synchronized void close() {
        if (done) {
            return;
        }
        done = true;
        while (!steps.isEmpty()) {
            Step s = steps.pop();
            try {
                s.action().close();
            } catch (Exception e) {
                System.err.println("strata demo: could not " + s.what() + ": " + e.getMessage());
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
