package dev.strata.wire.pagestream;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.wire.PgServerConfig;
import dev.strata.wire.auth.AuthConfig;
import dev.strata.wire.testkit.Frontend;
import dev.strata.wire.testkit.LeakCheck;
import dev.strata.wire.testkit.MemoryDatadir;
import dev.strata.wire.testkit.MemoryTenants;
import dev.strata.wire.testkit.MemoryTimeline;
import dev.strata.wire.testkit.WireHarness;
import dev.strata.wire.testkit.WireHarness.Msg;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.strata.wire.testkit.WireHarness.await;
import static dev.strata.wire.testkit.WireHarness.drain;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LeakCheck.class)
class PageStreamSessionTest {
    private static final Duration T = Duration.ofSeconds(5);
    private static final String TENANT = "11111111111111111111111111111111";
    private static final String TIMELINE = "22222222222222222222222222222222";
    private static final RelTag REL = new RelTag(1663, 5, 16384, 0);
    private static final long LSN = 0x1000_0000L;

    private WireHarness h = new WireHarness();
    private MemoryTimeline tl;

    @AfterEach
    void close() {
        h.close();
    }

    private void fill(WireHarness harness) {
        MemoryTenants.MemoryTenant t = harness.tenants.createTenant(TENANT);
        tl = t.createTimeline(TIMELINE, 0x100_0000L);
        MemoryDatadir dd = new MemoryDatadir(tl);
        List<byte[]> pages = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] p = new byte[8192];
            Arrays.fill(p, (byte) (i + 1));
            pages.add(p);
        }
        dd.putRelation(REL, LSN, pages);
        byte[] clog = new byte[8192];
        clog[0] = 0x55;
        dd.putSlruSegment(0, 0, LSN, List.of(clog));
    }

    private EmbeddedChannel stream(WireHarness harness, int version, String tenant) {
        EmbeddedChannel ch = harness.connected();
        ch.writeInbound(Frontend.query("pagestream_v" + version + " " + tenant + " " + TIMELINE));
        assertThat(drain(ch)).extracting(Msg::type).containsExactly('W');
        return ch;
    }

    static byte[] request(int version, int tag, long reqId, long lsn, long nms, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(1 + (version == 3 ? 24 : 16) + body.length);
        b.put((byte) tag);
        if (version == 3) {
            b.putLong(reqId);
        }
        return b.putLong(lsn).putLong(nms).put(body).array();
    }

    static byte[] rel(RelTag r, Integer blk) {
        ByteBuffer b = ByteBuffer.allocate(13 + (blk != null ? 4 : 0));
        b.putInt(r.spcNode()).putInt(r.dbNode()).putInt(r.relNode()).put((byte) r.forkNum());
        if (blk != null) {
            b.putInt(blk);
        }
        return b.array();
    }

    private static List<Msg> responses(EmbeddedChannel ch, int n) {
        List<Msg> out = new ArrayList<>();
        long deadline = System.nanoTime() + T.toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            out.addAll(drain(ch));
        }
        assertThat(out).hasSize(n);
        return out;
    }

    private static String errorText(Msg m, int version) {
        int off = 1 + (version == 3 ? 24 : 0);
        return new String(m.body(), off, m.body().length - off - 1, StandardCharsets.UTF_8);
    }

    @Test
    void v2_answers_every_request_kind() {
        fill(h);
        EmbeddedChannel ch = stream(h, 2, TENANT);
        long max = Lsn.MAX;
        ch.writeInbound(Frontend.copyData(request(2, 0, 0, max, LSN, rel(REL, null))));
        ch.writeInbound(Frontend.copyData(request(2, 1, 0, max, LSN, rel(REL, null))));
        ch.writeInbound(Frontend.copyData(request(2, 2, 0, max, LSN, rel(REL, 1))));
        ch.writeInbound(Frontend.copyData(request(2, 2, 0, max, LSN, rel(REL, 99))));
        ch.writeInbound(Frontend.copyData(request(2, 3, 0, max, LSN, ByteBuffer.allocate(4).putInt(5).array())));
        ch.writeInbound(Frontend.copyData(request(2, 4, 0, max, LSN, new byte[]{0, 0, 0, 0, 0})));
        ch.writeInbound(Frontend.copyData(request(2, 1, 0, max, LSN, rel(REL.withFork(1), null))));
        List<Msg> r = responses(ch, 7);
        assertThat(r.get(0).body()).containsExactly(100, 1);
        assertThat(r.get(1).body()).containsExactly(101, 0, 0, 0, 3);
        assertThat(r.get(2).body()).hasSize(1 + 8192);
        assertThat(r.get(2).body()[0]).isEqualTo((byte) 102);
        assertThat(r.get(2).body()[100]).isEqualTo((byte) 2);
        assertThat(Arrays.copyOfRange(r.get(3).body(), 1, 8193)).containsOnly(0);
        assertThat(r.get(4).body()).containsExactly(104, 0, 0, 0, 0, 0, 0, 0x60, 0);
        assertThat(r.get(5).body()).hasSize(1 + 4 + 8192);
        assertThat(r.get(5).body()[5]).isEqualTo((byte) 0x55);
        assertThat(r.get(6).body()).containsExactly(101, 0, 0, 0, 0);
        ch.finishAndReleaseAll();
    }

    @Test
    void v3_echoes_the_request_before_the_answer() {
        fill(h);
        EmbeddedChannel ch = stream(h, 3, TENANT);
        ch.writeInbound(Frontend.copyData(request(3, 2, 77, LSN + 5, LSN, rel(REL, 2))));
        ch.writeInbound(Frontend.copyData(request(3, 0, 78, LSN, LSN, rel(REL, null))));
        List<Msg> r = responses(ch, 2);
        ByteBuffer b = ByteBuffer.wrap(r.get(0).body());
        assertThat(b.get()).isEqualTo((byte) 102);
        assertThat(b.getLong()).isEqualTo(77);
        assertThat(b.getLong()).isEqualTo(LSN + 5);
        assertThat(b.getLong()).isEqualTo(LSN);
        assertThat(b.getInt()).isEqualTo(1663);
        assertThat(b.getInt()).isEqualTo(5);
        assertThat(b.getInt()).isEqualTo(16384);
        assertThat(b.get()).isEqualTo((byte) 0);
        assertThat(b.getInt()).isEqualTo(2);
        assertThat(b.remaining()).isEqualTo(8192);
        assertThat(b.get()).isEqualTo((byte) 3);
        assertThat(r.get(1).body()).hasSize(1 + 24 + 13 + 1);
        ch.finishAndReleaseAll();
    }

    @Test
    void many_pipelined_requests_come_back_in_request_order() {
        fill(h);
        EmbeddedChannel ch = stream(h, 3, TENANT);
        int n = 2000;
        ByteBuf all = Unpooled.buffer();
        for (int i = 0; i < n; i++) {
            ByteBuf f = Frontend.copyData(request(3, 2, i, Lsn.MAX, LSN, rel(REL, i % 3)));
            all.writeBytes(f);
            f.release();
        }
        ch.writeInbound(all);
        List<Msg> r = responses(ch, n);
        for (int i = 0; i < n; i++) {
            ByteBuffer b = ByteBuffer.wrap(r.get(i).body());
            assertThat(b.get()).isEqualTo((byte) 102);
            assertThat(b.getLong()).isEqualTo(i);
            assertThat(r.get(i).body()[60]).isEqualTo((byte) (i % 3 + 1));
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void unknown_tenant_gets_103_per_request_and_the_stream_goes_on_until_it_exists() {
        EmbeddedChannel ch = stream(h, 2, TENANT);
        ch.writeInbound(Frontend.copyData(request(2, 0, 0, Lsn.MAX, 0, rel(REL, null))));
        Msg e = responses(ch, 1).get(0);
        assertThat(e.body()[0]).isEqualTo((byte) 103);
        assertThat(errorText(e, 2)).contains("tenant " + TENANT + " not found");
        fill(h);
        ch.writeInbound(Frontend.copyData(request(2, 0, 0, Lsn.MAX, 0, rel(REL, null))));
        assertThat(responses(ch, 1).get(0).body()).containsExactly(100, 1);
        ch.finishAndReleaseAll();
    }

    @Test
    void request_below_the_gc_cutoff_names_the_cutoff_and_the_stream_goes_on() {
        fill(h);
        tl.setGcCutoff(LSN);
        EmbeddedChannel ch = stream(h, 3, TENANT);
        ch.writeInbound(Frontend.copyData(request(3, 2, 1, LSN - 8, LSN - 8, rel(REL, 0))));
        ch.writeInbound(Frontend.copyData(request(3, 2, 2, LSN, LSN, rel(REL, 0))));
        List<Msg> r = responses(ch, 2);
        assertThat(r.get(0).body()[0]).isEqualTo((byte) 103);
        assertThat(ByteBuffer.wrap(r.get(0).body()).getLong(1)).isEqualTo(1);
        assertThat(errorText(r.get(0), 3)).contains("garbage collected").contains("GC cutoff 0/10000000");
        assertThat(r.get(1).body()[0]).isEqualTo((byte) 102);
        ch.finishAndReleaseAll();
    }

    @Test
    void request_ahead_of_ingest_waits_and_later_requests_stay_behind_it() throws Exception {
        fill(h);
        EmbeddedChannel ch = stream(h, 3, TENANT);
        long ahead = LSN + 0x1000;
        ch.writeInbound(Frontend.copyData(request(3, 1, 1, ahead, ahead, rel(REL, null))));
        ch.writeInbound(Frontend.copyData(request(3, 1, 2, Lsn.MAX, LSN, rel(REL, null))));
        Thread.sleep(100);
        assertThat(drain(ch)).isEmpty();
        new MemoryDatadir(tl).putRelation(REL, ahead, List.of(new byte[8192]));
        List<Msg> r = responses(ch, 2);
        assertThat(r.get(0).body()).endsWith(0, 0, 0, 1);
        assertThat(ByteBuffer.wrap(r.get(0).body()).getLong(1)).isEqualTo(1);
        assertThat(ByteBuffer.wrap(r.get(1).body()).getLong(1)).isEqualTo(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void waiting_for_wal_times_out_with_103_naming_both_lsns() {
        h.close();
        h = new WireHarness(AuthConfig.trust(), PgServerConfig.defaults().withWaitLsnTimeout(Duration.ofMillis(200)));
        fill(h);
        EmbeddedChannel ch = stream(h, 2, TENANT);
        ch.writeInbound(Frontend.copyData(request(2, 1, 0, LSN + 0x1000, LSN + 0x1000, rel(REL, null))));
        Msg e = responses(ch, 1).get(0);
        assertThat(errorText(e, 2)).contains("timed out").contains("0/10001000").contains("last_record_lsn 0/10000000");
        ch.writeInbound(Frontend.copyData(request(2, 1, 0, Lsn.MAX, LSN, rel(REL, null))));
        assertThat(responses(ch, 1).get(0).body()[0]).isEqualTo((byte) 101);
        ch.finishAndReleaseAll();
    }

    @Test
    void malformed_requests_get_103_and_the_stream_goes_on() {
        fill(h);
        EmbeddedChannel ch = stream(h, 3, TENANT);
        ch.writeInbound(Frontend.copyData(new byte[]{2, 0, 0}));
        ch.writeInbound(Frontend.copyData(request(3, 9, 5, Lsn.MAX, 0, new byte[0])));
        ch.writeInbound(Frontend.copyData(request(3, 2, 6, Lsn.MAX, 0, rel(new RelTag(1663, 5, 16384, 0), 1)
        ).clone()));
        byte[] badFork = request(3, 0, 7, Lsn.MAX, 0, rel(REL, null));
        badFork[badFork.length - 1] = 9;
        ch.writeInbound(Frontend.copyData(badFork));
        ch.writeInbound(Frontend.copyData(request(3, 0, 8, 0, 0, rel(REL, null))));
        ch.writeInbound(Frontend.copyData(request(3, 0, 9, LSN, LSN + 1, rel(REL, null))));
        ch.writeInbound(Frontend.copyData(new byte[5000]));
        ch.writeInbound(Frontend.raw('Q', "tenant list\0".getBytes(StandardCharsets.UTF_8)));
        ch.writeInbound(Frontend.copyData(request(3, 1, 10, Lsn.MAX, LSN, rel(REL.withFork(0), null))));
        List<Msg> r = responses(ch, 9);
        assertThat(errorText(r.get(0), 3)).contains("shorter than the 25-byte v3 header");
        assertThat(errorText(r.get(1), 3)).contains("unknown request tag 9");
        assertThat(ByteBuffer.wrap(r.get(1).body()).getLong(1)).isEqualTo(5);
        assertThat(r.get(2).body()[0]).isEqualTo((byte) 102);
        assertThat(errorText(r.get(3), 3)).contains("fork number 9");
        assertThat(errorText(r.get(4), 3)).contains("request_lsn is 0");
        assertThat(errorText(r.get(5), 3)).contains("below not_modified_since");
        assertThat(errorText(r.get(6), 3)).contains("longer than any page-service request");
        assertThat(errorText(r.get(7), 3)).contains("unexpected message type 'Q'");
        assertThat(r.get(8).body()[0]).isEqualTo((byte) 101);
        ch.finishAndReleaseAll();
    }

    @Test
    void missing_relation_is_103_except_for_optional_forks() {
        fill(h);
        EmbeddedChannel ch = stream(h, 2, TENANT);
        RelTag missing = new RelTag(1663, 5, 99999, 0);
        ch.writeInbound(Frontend.copyData(request(2, 1, 0, Lsn.MAX, LSN, rel(missing, null))));
        ch.writeInbound(Frontend.copyData(request(2, 1, 0, Lsn.MAX, LSN, rel(missing.withFork(2), null))));
        ch.writeInbound(Frontend.copyData(request(2, 2, 0, Lsn.MAX, LSN, rel(missing, 0))));
        ch.writeInbound(Frontend.copyData(request(2, 0, 0, Lsn.MAX, LSN, rel(missing, null))));
        List<Msg> r = responses(ch, 4);
        assertThat(errorText(r.get(0), 2)).contains("Nblocks of 1663/5/99999").contains("does not exist");
        assertThat(r.get(1).body()).containsExactly(101, 0, 0, 0, 0);
        assertThat(errorText(r.get(2), 2)).contains("GetPage of 1663/5/99999 block 0");
        assertThat(r.get(3).body()).containsExactly(100, 0);
        ch.finishAndReleaseAll();
    }

    @Test
    void copy_done_ends_the_stream_and_the_connection_takes_queries_again() {
        fill(h);
        EmbeddedChannel ch = stream(h, 2, TENANT);
        ch.writeInbound(Frontend.copyData(request(2, 0, 0, Lsn.MAX, LSN, rel(REL, null))));
        ch.writeInbound(Frontend.copyDone());
        List<Msg> r = await(ch, 'Z', T);
        assertThat(r).extracting(Msg::type).containsExactly('d', 'c', 'C', 'Z');
        ch.writeInbound(Frontend.query("tenant list"));
        assertThat(await(ch, 'Z', T)).extracting(Msg::type).containsExactly('T', 'D', 'C', 'Z');
        assertThat(h.meters.get("strata.pageservice.requests").tag("type", "exists").tag("result", "ok").counter()
                .count()).isEqualTo(1);
        ch.finishAndReleaseAll();
    }
}
