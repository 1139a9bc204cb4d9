package dev.strata.wire.copy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CopyOutStreamTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final WritabilityGate gate = new WritabilityGate(channel);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /** One sent CopyData message: its kind byte (or -1) and its payload after the kind. */
    private record Message(int kind, byte[] payload) {
    }

    private List<Message> sent(boolean withKind) {
        List<Message> out = new ArrayList<>();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            try {
                assertThat((char) b.readByte()).isEqualTo('d');
                int length = b.readInt();
                assertThat(length).as("length field counts itself and the rest").isEqualTo(4 + b.readableBytes());
                int kind = withKind ? b.readByte() : -1;
                byte[] payload = new byte[b.readableBytes()];
                b.readBytes(payload);
                out.add(new Message(kind, payload));
            } finally {
                b.release();
            }
        }
        return out;
    }

    @Test
    void bulk_chunks_carry_256_KiB_each_with_the_kind_byte_and_the_rest_on_close() throws IOException {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        byte[] data = new byte[2 * CopyOutStream.BULK_CHUNK + 12345];
        new Random(seed).nextBytes(data);
        try (CopyOutStream out = new CopyOutStream(channel, gate, 'd', CopyOutStream.BULK_CHUNK)) {
            // writes of odd sizes, so that chunk boundaries fall inside writes
            Random sizes = new Random(seed);
            int off = 0;
            while (off < data.length) {
                int n = Math.min(data.length - off, 1 + sizes.nextInt(100_000));
                out.write(data, off, n);
                off += n;
            }
            assertThat(out.bytes()).isEqualTo(data.length);
            assertThat(sent(true)).as("whole chunks only before close").hasSize(2);
        }
        List<Message> last = sent(true);
        assertThat(last).hasSize(1);
        assertThat(last.get(0).payload()).hasSize(12345);
    }

    @Test
    void payloads_joined_are_the_bytes_written_and_no_message_exceeds_the_chunk_size() throws IOException {
        byte[] data = new byte[3 * 1000 + 7];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        CopyOutStream out = new CopyOutStream(channel, gate, -1, 1000);
        out.write(data[0]);
        out.write(data, 1, data.length - 1);
        out.close();
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        List<Message> messages = sent(false);
        for (Message m : messages) {
            assertThat(m.payload().length).isLessThanOrEqualTo(1000);
            joined.write(m.payload());
        }
        assertThat(messages).hasSize(4);
        assertThat(joined.toByteArray()).isEqualTo(data);
    }

    @Test
    void the_default_chunk_is_64_KiB() throws IOException {
        try (CopyOutStream out = new CopyOutStream(channel, gate, 'd')) {
            out.write(new byte[CopyOutStream.CHUNK + 1]);
        }
        List<Message> messages = sent(true);
        assertThat(messages).extracting(m -> m.payload().length).containsExactly(CopyOutStream.CHUNK, 1);
        assertThat(messages).extracting(Message::kind).containsOnly((int) 'd');
    }

    @Test
    void abort_sends_nothing_of_a_partial_chunk_and_refuses_further_writes() throws IOException {
        CopyOutStream out = new CopyOutStream(channel, gate, 'd', 1024);
        out.write(new byte[100]);
        out.abort();
        assertThat(sent(true)).isEmpty();
        assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void a_chunk_size_that_is_not_positive_is_refused() {
        assertThatThrownBy(() -> new CopyOutStream(channel, gate, 'd', 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk size");
    }
}
