package dev.strata.wire.walsender;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/** Limits a stream to a byte rate (BASE_BACKUP's MAX_RATE) by sleeping whenever it runs ahead of schedule. */
final class ThrottledOutputStream extends FilterOutputStream {
    private final long bytesPerSecond;
    private final long start = System.nanoTime();
    private long written;

    ThrottledOutputStream(OutputStream out, long bytesPerSecond) {
        super(out);
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        account(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        account(len);
    }

    private void account(long n) throws IOException {
        written += n;
        long dueNanos = written * 1_000_000_000L / bytesPerSecond;
        long aheadNanos = dueNanos - (System.nanoTime() - start);
        if (aheadNanos > 1_000_000) {
            try {
                Thread.sleep(aheadNanos / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("canceled");
            }
        }
    }
}
