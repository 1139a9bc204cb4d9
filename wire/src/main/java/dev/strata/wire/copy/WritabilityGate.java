package dev.strata.wire.copy;

import io.netty.channel.Channel;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Lets a thread that produces a stream (a backup) wait while the channel's outbound buffer is above its high
 * water mark, so a slow reader makes the producer slow instead of making the server buffer the whole stream.
 * The connection signals it from {@code channelWritabilityChanged} and when the channel closes.
 */
public final class WritabilityGate {
    private final Channel channel;

    public WritabilityGate(Channel channel) {
        this.channel = channel;
    }

    /** Blocks until the channel is writable. */
    public void awaitWritable() throws IOException {
        synchronized (this) {
            while (!channel.isWritable()) {
                if (!channel.isActive()) {
                    throw new IOException("the client closed the connection");
                }
                try {
                    // the timeout only guards against a missed signal; writability changes do notify
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("canceled while waiting for the client to read");
                }
            }
        }
        if (!channel.isActive()) {
            throw new IOException("the client closed the connection");
        }
    }

    public void signal() {
        synchronized (this) {
            notifyAll();
        }
    }
}
