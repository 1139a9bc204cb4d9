package dev.strata.storage.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bound on the read-only file descriptors layer files hold (Neon's {@code max_file_descriptors}). A timeline can
 * have thousands of layer files; each opens its file through here, and once {@code max} are open the least recently
 * opened one is closed. Its owner sees a closed channel at its next read and opens it again, so an evicted file
 * costs one {@code open} call, never an error.
 */
public final class FileHandles {
    private final int max;
    private final LinkedHashMap<Object, FileChannel> open = new LinkedHashMap<>(16, 0.75f, true);

    public FileHandles(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxOpenFiles must be positive: " + max);
        }
        this.max = max;
    }

    /** Opens {@code path} for reading on behalf of {@code owner}, closing the least recently opened file if needed. */
    public FileChannel open(Object owner, Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        FileChannel evicted = null;
        synchronized (this) {
            FileChannel previous = open.put(owner, ch);
            if (previous != null && previous != ch) {
                closeQuietly(previous);
            }
            if (open.size() > max) {
                Iterator<Map.Entry<Object, FileChannel>> it = open.entrySet().iterator();
                evicted = it.next().getValue();
                it.remove();
            }
        }
        if (evicted != null) {
            closeQuietly(evicted);
        }
        return ch;
    }

    /** Closes the owner's file for good. */
    public void release(Object owner) {
        FileChannel ch;
        synchronized (this) {
            ch = open.remove(owner);
        }
        if (ch != null) {
            closeQuietly(ch);
        }
    }

    public synchronized int openCount() {
        return open.size();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // A read-only descriptor: nothing is lost.
        }
    }
}
