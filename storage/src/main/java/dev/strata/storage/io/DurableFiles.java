package dev.strata.storage.io;

import dev.strata.storage.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file operations that make state durable: whole-file replacement (temp file, fsync, rename, fsync of the
 * directory), directory fsync and deletion, each preceded by a {@link FaultInjector} step.
 */
public final class DurableFiles {
    /** Suffix of files being written; whatever carries it after a crash is garbage. */
    public static final String TEMP_SUFFIX = ".___temp";

    private final FaultInjector faults;
    private final boolean fsync;

    /**
     * @param fsync false skips every fsync (the fault steps still run): only for tests and benchmarks, since a
     *              machine crash can then lose acknowledged data
     */
    public DurableFiles(FaultInjector faults, boolean fsync) {
        this.faults = faults;
        this.fsync = fsync;
    }

    public DurableFiles(FaultInjector faults) {
        this(faults, true);
    }

    /** Forces a file's contents to disk (unless fsync is off). */
    public void force(FileChannel ch, String what) throws IOException {
        faults.beforeStep(what + ".fsync");
        if (fsync) {
            ch.force(true);
        }
    }

    public FaultInjector faults() {
        return faults;
    }

    /** Replaces {@code target} with {@code content} atomically: readers see the old or the new file, never a mix. */
    public void replaceAtomically(Path target, byte[] content, String what) {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        try {
            faults.beforeStep(what + ".write");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                force(ch, what);
            }
            rename(temp, target, what);
        } catch (IOException e) {
            throw new StorageException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Renames {@code from} to {@code to} atomically and fsyncs the directory so the new name survives a crash. */
    public void rename(Path from, Path to, String what) {
        try {
            faults.beforeStep(what + ".rename");
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new StorageException("the file system of " + to.getParent()
                        + " cannot rename atomically; Strata needs a POSIX file system", e);
            }
            fsyncDirectory(to.getParent(), what);
        } catch (IOException e) {
            throw new StorageException("cannot rename " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    public void fsyncDirectory(Path dir, String what) {
        faults.beforeStep(what + ".dirsync");
        if (!fsync) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new StorageException("cannot fsync directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes {@code file} if it exists (the caller fsyncs the directory when the deletion must be durable). */
    public void delete(Path file, String what) {
        faults.beforeStep(what + ".delete");
        try {
            Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
            // Already gone: that is the state we want.
        } catch (IOException e) {
            throw new StorageException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    /** Creates {@code dir} (and parents) and fsyncs its parent so the new entry survives a crash. */
    public void createDirectory(Path dir, String what) {
        try {
            faults.beforeStep(what + ".mkdir");
            Files.createDirectories(dir);
            fsyncDirectory(dir.getParent(), what);
        } catch (IOException e) {
            throw new StorageException("cannot create directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
