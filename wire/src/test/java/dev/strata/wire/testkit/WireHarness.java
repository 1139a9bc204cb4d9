package dev.strata.wire.testkit;

import dev.strata.wire.BackupSource;
import dev.strata.wire.PgServerConfig;
import dev.strata.wire.ServerBackend;
import dev.strata.wire.ServerContext;
import dev.strata.wire.auth.AuthConfig;
import dev.strata.wire.connection.ConnectionRegistry;
import dev.strata.wire.connection.PgConnectionHandler;
import dev.strata.wire.pagestream.LsnWaiters;
import dev.strata.wire.pagestream.PageService;
import dev.strata.wire.pagestream.PageServiceMetrics;
import dev.strata.wire.protocol.PgFrameDecoder;
import dev.strata.wire.walsender.ReplicationSlots;
import dev.strata.wire.walsender.WalSegmentRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A connection handler on an EmbeddedChannel with in-memory tenants: tests write frontend bytes and read the
 * backend messages, split into (type, body) pairs.
 */
public final class WireHarness implements AutoCloseable {
    /** One backend message. */
    public record Msg(char type, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The M field of an ErrorResponse. */
        public String errorField(char field) {
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char f = (char) body[i++];
                int end = i;
                while (body[end] != 0) {
                    end++;
                }
                if (f == field) {
                    return new String(body, i, end - i, StandardCharsets.UTF_8);
                }
                i = end + 1;
            }
            return null;
        }
    }

    public final MemoryTenants tenants = new MemoryTenants();
    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ExecutorService commandPool = Executors.newFixedThreadPool(2);
    private final ExecutorService readPool = Executors.newFixedThreadPool(2);
    private final ExecutorService waitPool = Executors.newCachedThreadPool();
    private final LsnWaiters waiters = new LsnWaiters(waitPool);
    private final ServerContext context;
    private final ConnectionRegistry registry = new ConnectionRegistry();

    public WireHarness(AuthConfig auth, PgServerConfig config) {
        this(auth, config, null);
    }

    public WireHarness(AuthConfig auth, PgServerConfig config, BackupSource backups) {
        PageService pages = new PageService(tenants, tl -> new MemoryDatadir((MemoryTimeline) tl), readPool, waiters,
                new PageServiceMetrics(meters), config.waitLsnTimeout(), config.maxInFlight(), config.maxQueued(),
                config.inlineReads());
        context = new ServerContext(config, auth, tenants, pages, ServerBackend.withoutReplication(), backups,
                commandPool, null, new WalSegmentRegistry(), new ReplicationSlots());
    }

    public WireHarness() {
        this(AuthConfig.trust(), PgServerConfig.defaults());
    }

    public EmbeddedChannel channel() {
        PgFrameDecoder decoder = new PgFrameDecoder();
        return new EmbeddedChannel(decoder, new PgConnectionHandler(context, registry, decoder));
    }

    /** A channel past startup (trust auth), with the startup replies consumed. */
    public EmbeddedChannel connected(Map<String, String> params) {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Frontend.startup(params));
        await(ch, 'Z', Duration.ofSeconds(5));
        return ch;
    }

    public EmbeddedChannel connected() {
        return connected(Map.of("user", "test"));
    }

    /** Reads every backend message written so far. */
    public static List<Msg> drain(EmbeddedChannel ch) {
        ch.runPendingTasks();
        List<Msg> out = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            try {
                while (b.isReadable()) {
                    if (b.readableBytes() == 1) {
                        out.add(new Msg((char) b.readByte(), new byte[0]));
                        continue;
                    }
                    char type = (char) b.readByte();
                    int len = b.readInt();
                    byte[] body = new byte[len - 4];
                    b.readBytes(body);
                    out.add(new Msg(type, body));
                }
            } finally {
                b.release();
            }
        }
        return out;
    }

    /** Collects messages until one of {@code type} arrives (inclusive), running tasks the pools post back. */
    public static List<Msg> await(EmbeddedChannel ch, char type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Msg> all = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            List<Msg> got = drain(ch);
            all.addAll(got);
            if (got.stream().anyMatch(m -> m.type() == type)) {
                return all;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no '" + type + "' within " + timeout + "; got " + all.stream()
                .map(m -> String.valueOf(m.type())).toList());
    }

    @Override
    public void close() {
        waiters.close();
        commandPool.shutdownNow();
        readPool.shutdownNow();
        waitPool.shutdownNow();
    }
}
