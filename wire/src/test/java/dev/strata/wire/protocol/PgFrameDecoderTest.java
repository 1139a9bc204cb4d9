package dev.strata.wire.protocol;

import dev.strata.wire.testkit.Frontend;
import dev.strata.wire.testkit.LeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LeakCheck.class)
class PgFrameDecoderTest {
    private static List<Object> feed(EmbeddedChannel ch, ByteBuf bytes, int[] cuts) {
        int prev = 0;
        for (int cut : cuts) {
            ch.writeInbound(bytes.retainedSlice(prev, cut - prev));
            prev = cut;
        }
        ch.writeInbound(bytes.retainedSlice(prev, bytes.readableBytes() - prev));
        bytes.release();
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    private static ByteBuf conversation() {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b : List.of(Frontend.startup(Map.of("user", "u", "database", "d")), Frontend.query("tenant list"),
                Frontend.sync(), Frontend.copyData(new byte[]{1, 2, 3}))) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    @Test
    void decodes_startup_and_messages_split_at_every_byte_boundary() {
        int length = conversation().readableBytes();
        for (int cut = 1; cut < length; cut++) {
            EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder());
            List<Object> out = feed(ch, conversation(), new int[]{cut});
            assertThat(out).hasSize(4);
            StartupPacket.StartupMessage s = (StartupPacket.StartupMessage) out.get(0);
            assertThat(s.parameters()).containsEntry("user", "u").containsEntry("database", "d");
            FrontendMessage q = (FrontendMessage) out.get(1);
            assertThat(q.tag()).isEqualTo((byte) 'Q');
            assertThat(q.content().toString(StandardCharsets.UTF_8)).isEqualTo("tenant list\0");
            assertThat(((FrontendMessage) out.get(2)).tag()).isEqualTo((byte) 'S');
            assertThat(((FrontendMessage) out.get(3)).content().readableBytes()).isEqualTo(3);
            out.forEach(ReferenceCountUtil::release);
            assertThat(ch.finish()).isFalse();
        }
    }

    @Test
    void decodes_when_fed_one_byte_at_a_time_in_random_chunks() {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        Random rnd = new Random(seed);
        for (int round = 0; round < 200; round++) {
            ByteBuf all = conversation();
            int n = all.readableBytes();
            int pieces = 1 + rnd.nextInt(10);
            int[] cuts = rnd.ints(pieces, 1, n).sorted().distinct().toArray();
            EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder());
            List<Object> out = feed(ch, all, cuts);
            assertThat(out).as("seed %d round %d", seed, round).hasSize(4);
            out.forEach(ReferenceCountUtil::release);
            assertThat(ch.finish()).isFalse();
        }
    }

    @Test
    void recognises_ssl_gssenc_and_cancel_requests() {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder());
        ch.writeInbound(Frontend.sslRequest());
        assertThat((Object) ch.readInbound()).isInstanceOf(StartupPacket.SslRequest.class);
        ch.writeInbound(Unpooled.buffer().writeInt(8).writeInt(80877104));
        assertThat((Object) ch.readInbound()).isInstanceOf(StartupPacket.GssEncRequest.class);
        ch.writeInbound(Frontend.cancel(1234, 5678));
        assertThat((Object) ch.readInbound()).isEqualTo(new StartupPacket.CancelRequest(1234, 5678));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void refuses_data_sent_after_an_ssl_request_before_the_answer() {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder());
        ByteBuf b = Frontend.sslRequest();
        ByteBuf s = Frontend.startup(Map.of("user", "u"));
        b.writeBytes(s);
        s.release();
        ch.writeInbound(b);
        Object o = ch.readInbound();
        assertThat(o).isInstanceOf(ProtocolViolation.class);
        assertThat(((ProtocolViolation) o).message()).contains("unencrypted data after");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void oversized_message_is_skipped_without_buffering_and_framing_continues() {
        PgFrameDecoder decoder = new PgFrameDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Frontend.startup(Map.of("user", "u")));
        ReferenceCountUtil.release(ch.readInbound());
        decoder.maxMessageLength(100);
        ByteBuf big = Unpooled.buffer().writeByte('Q').writeInt(4 + 1_000_000);
        ch.writeInbound(big);
        for (int i = 0; i < 100; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[10_000]));
        }
        assertThat(decoder.state()).isEqualTo(PgFrameDecoder.State.MESSAGES);
        Object o = ch.readInbound();
        assertThat(o).isEqualTo(new OversizedMessage((byte) 'Q', 1_000_000, 100));
        ch.writeInbound(Frontend.sync());
        FrontendMessage sync = ch.readInbound();
        assertThat(sync.tag()).isEqualTo((byte) 'S');
        sync.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void impossible_lengths_are_protocol_violations() {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder());
        ch.writeInbound(Unpooled.buffer().writeInt(100_000).writeInt(3 << 16));
        assertThat((Object) ch.readInbound()).isInstanceOf(ProtocolViolation.class);
        assertThat(ch.finish()).isFalse();

        ch = new EmbeddedChannel(new PgFrameDecoder());
        ch.writeInbound(Frontend.startup(Map.of("user", "u")));
        ReferenceCountUtil.release(ch.readInbound());
        ch.writeInbound(Unpooled.buffer().writeByte('Q').writeInt(2));
        Object v = ch.readInbound();
        assertThat(v).isInstanceOf(ProtocolViolation.class);
        assertThat(((ProtocolViolation) v).message()).contains("invalid message length 2");
        ch.writeInbound(Frontend.sync());
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void startup_packet_without_terminator_is_a_violation() {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder());
        ByteBuf b = Unpooled.buffer().writeInt(14).writeInt(3 << 16).writeBytes("user\0u".getBytes(StandardCharsets.UTF_8));
        ch.writeInbound(b);
        assertThat((Object) ch.readInbound()).isInstanceOf(ProtocolViolation.class);
        assertThat(ch.finish()).isFalse();
    }
}
