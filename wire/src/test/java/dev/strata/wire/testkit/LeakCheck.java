package dev.strata.wire.testkit;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fails a test class when Netty's leak detector (paranoid in every test run) reported a buffer that was never
 * released. Reports come out when later allocations notice collected, unreleased buffers, so this collects
 * garbage and allocates a little before looking.
 */
public final class LeakCheck implements AfterAllCallback {
    static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    /** Receives the leak detector's ERROR events (configured in logback-test.xml). */
    public static final class Appender extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent e) {
            if (e.getFormattedMessage().contains("LEAK")) {
                LEAKS.add(e.getFormattedMessage());
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
            for (int j = 0; j < 100; j++) {
                ByteBuf b = ByteBufAllocator.DEFAULT.buffer(16);
                b.release();
            }
        }
        List<String> found = List.copyOf(LEAKS);
        LEAKS.clear();
        assertThat(found).as("buffers leaked by %s", context.getDisplayName()).isEmpty();
    }
}
