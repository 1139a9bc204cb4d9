package dev.strata.it.wire;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the reports of Netty's leak detector (paranoid in the test JVM) while attached, so a test can assert
 * that nothing it drove leaked a buffer. Reports appear when later allocations find collected, unreleased buffers,
 * hence {@link #reports()} collects garbage and allocates before looking.
 */
final class LeakWatch extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private final Logger logger;

    LeakWatch() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        logger = ctx.getLogger("io.netty.util.ResourceLeakDetector");
        setContext(ctx);
        start();
        logger.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent e) {
        if (e.getFormattedMessage().contains("LEAK")) {
            leaks.add(e.getFormattedMessage());
        }
    }

    List<String> reports() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 200; j++) {
                ByteBuf b = ByteBufAllocator.DEFAULT.buffer(64);
                b.release();
            }
        }
        return List.copyOf(leaks);
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
