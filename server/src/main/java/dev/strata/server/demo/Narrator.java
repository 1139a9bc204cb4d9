package dev.strata.server.demo;

import java.io.PrintStream;
import java.util.Locale;

/** The demo's voice: numbered steps, indented details, timings, and one self-updating progress line on a terminal. */
public final class Narrator {
    private final PrintStream out;
    private final boolean terminal;
    private final int steps;
    private int step;
    private long stepStart;
    private boolean progressOpen;

    public Narrator(PrintStream out, boolean terminal, int steps) {
        this.out = out;
        this.terminal = terminal;
        this.steps = steps;
    }

    boolean terminal() {
        return terminal;
    }

    void title(String text) {
        out.println(text);
        out.println();
    }

    void step(String title) {
        endProgress();
        step++;
        stepStart = System.nanoTime();
        out.println();
        out.printf(Locale.ROOT, "[%d/%d] %s%n", step, steps, title);
    }

    void say(String text) {
        endProgress();
        out.println("      " + text);
    }

    void sayf(String format, Object... args) {
        say(String.format(Locale.ROOT, format, args));
    }

    /** A detail line ending with the time since the step began. */
    void done(String text) {
        sayf("%-64s (%.1f s)", text, (System.nanoTime() - stepStart) / 1e9);
    }

    /** A progress line: rewritten in place on a terminal, printed as its own line otherwise. */
    void progress(String text) {
        if (terminal) {
            out.print("\r      " + text + "\u001b[K");
            out.flush();
            progressOpen = true;
        } else {
            out.println("      " + text);
        }
    }

    public void endProgress() {
        if (progressOpen) {
            out.println();
            progressOpen = false;
        }
    }

    public void blank() {
        endProgress();
        out.println();
    }

    public void raw(String text) {
        endProgress();
        out.println(text);
    }
}
