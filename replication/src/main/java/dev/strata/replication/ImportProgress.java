package dev.strata.replication;

/**
 * Progress of a base-backup import, readable from any thread while the import runs. Totals are -1 while unknown:
 * the byte total comes from BASE_BACKUP's PROGRESS estimate, the file total from a count of the primary's files
 * when the connecting role may list them.
 */
public final class ImportProgress {
    // Setters are called by the import only; other threads read.
    private volatile long bytesDone;
    private volatile long bytesTotal = -1;
    private volatile long filesDone;
    private volatile long filesTotal = -1;
    private volatile long pagesImported;
    private volatile boolean done;

    public long bytesDone() {
        return bytesDone;
    }

    public long bytesTotal() {
        return bytesTotal;
    }

    public long filesDone() {
        return filesDone;
    }

    public long filesTotal() {
        return filesTotal;
    }

    public long pagesImported() {
        return pagesImported;
    }

    public boolean done() {
        return done;
    }

    public void setBytesDone(long v) {
        bytesDone = v;
    }

    public void setBytesTotal(long v) {
        bytesTotal = v;
    }

    public void setFilesTotal(long v) {
        filesTotal = v;
    }

    public void fileDone() {
        filesDone++;
    }

    public void pagesImported(long n) {
        pagesImported += n;
    }

    /** The import finished: the totals become what was actually imported. */
    public void markDone() {
        done = true;
        filesTotal = filesDone;
        bytesTotal = bytesDone;
    }

    @Override
    public String toString() {
        return String.format("%s of %s, %d of %s files", mb(bytesDone), bytesTotal < 0 ? "?" : mb(bytesTotal),
                filesDone, filesTotal < 0 ? "?" : Long.toString(filesTotal));
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1048576.0);
    }
}
