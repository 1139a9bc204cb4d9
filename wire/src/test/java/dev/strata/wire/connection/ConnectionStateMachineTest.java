package dev.strata.wire.connection;

import dev.strata.wire.PgServerConfig;
import dev.strata.wire.auth.AuthConfig;
import dev.strata.wire.testkit.Frontend;
import dev.strata.wire.testkit.LeakCheck;
import dev.strata.wire.testkit.WireHarness;
import dev.strata.wire.testkit.WireHarness.Msg;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.strata.wire.testkit.WireHarness.await;
import static dev.strata.wire.testkit.WireHarness.drain;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LeakCheck.class)
class ConnectionStateMachineTest {
    private static final Duration T = Duration.ofSeconds(5);
    private final WireHarness h = new WireHarness();

    @AfterEach
    void close() {
        h.close();
    }

    private static String types(List<Msg> msgs) {
        StringBuilder b = new StringBuilder();
        msgs.forEach(m -> b.append(m.type()));
        return b.toString();
    }

    private static String param(List<Msg> msgs, String name) {
        for (Msg m : msgs) {
            if (m.type() == 'S') {
                String[] kv = m.text().split("\0");
                if (kv[0].equals(name)) {
                    return kv[1];
                }
            }
        }
        return null;
    }

    @Test
    void trust_startup_sends_auth_ok_parameters_key_data_and_ready() {
        EmbeddedChannel ch = h.channel();
        ch.writeInbound(Frontend.startup(Map.of("user", "alice", "database", "postgres")));
        List<Msg> msgs = await(ch, 'Z', T);
        assertThat(msgs.get(0).type()).isEqualTo('R');
        assertThat(param(msgs, "server_version")).startsWith("15.");
        assertThat(param(msgs, "integer_datetimes")).isEqualTo("on");
        assertThat(param(msgs, "client_encoding")).isEqualTo("UTF8");
        assertThat(param(msgs, "standard_conforming_strings")).isEqualTo("on");
        assertThat(param(msgs, "DateStyle")).startsWith("ISO");
        assertThat(types(msgs)).contains("K").endsWith("Z");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void ssl_request_without_tls_is_answered_n_and_startup_follows() {
        EmbeddedChannel ch = h.channel();
        ch.writeInbound(Frontend.sslRequest());
        assertThat(drain(ch)).extracting(Msg::type).containsExactly('N');
        ch.writeInbound(Frontend.startup(Map.of("user", "u")));
        assertThat(types(await(ch, 'Z', T))).startsWith("R");
        ch.finishAndReleaseAll();
    }

    @Test
    void simple_query_runs_admin_commands_and_returns_rows() {
        EmbeddedChannel ch = h.connected();
        ch.writeInbound(Frontend.query("tenant create 0123456789abcdef0123456789abcdef"));
        List<Msg> msgs = await(ch, 'Z', T);
        assertThat(types(msgs)).isEqualTo("TDCZ");
        assertThat(msgs.get(1).text()).contains("0123456789abcdef0123456789abcdef");
        assertThat(msgs.get(2).text()).isEqualTo("SELECT 1\0");
        ch.writeInbound(Frontend.query("TENANT LIST; tenant list"));
        assertThat(types(await(ch, 'Z', T))).isEqualTo("TDCTDCZ");
        ch.finishAndReleaseAll();
    }

    @Test
    void unknown_command_is_an_error_with_sqlstate_and_the_connection_goes_on() {
        EmbeddedChannel ch = h.connected();
        ch.writeInbound(Frontend.query("select * from pg_class"));
        List<Msg> msgs = await(ch, 'Z', T);
        assertThat(types(msgs)).isEqualTo("EZ");
        assertThat(msgs.get(0).errorField('C')).isEqualTo("42601");
        assertThat(msgs.get(0).errorField('M')).contains("unknown command 'select'");
        assertThat(msgs.get(0).errorField('H')).contains("tenant create");
        ch.writeInbound(Frontend.query("tenant list"));
        assertThat(types(await(ch, 'Z', T))).isEqualTo("TCZ");
        ch.finishAndReleaseAll();
    }

    @Test
    void bad_ids_and_missing_tenants_get_their_own_sqlstates() {
        EmbeddedChannel ch = h.connected();
        ch.writeInbound(Frontend.query("timeline list nothex"));
        Msg e = await(ch, 'Z', T).get(0);
        assertThat(e.errorField('C')).isEqualTo("22023");
        assertThat(e.errorField('M')).contains("32 hex digits");
        ch.writeInbound(Frontend.query("timeline list 0123456789abcdef0123456789abcdef"));
        e = await(ch, 'Z', T).get(0);
        assertThat(e.errorField('C')).isEqualTo("42704");
        assertThat(e.errorField('H')).contains("tenant list");
        ch.finishAndReleaseAll();
    }

    @Test
    void empty_query_gets_empty_query_response() {
        EmbeddedChannel ch = h.connected();
        ch.writeInbound(Frontend.query("  ;  "));
        assertThat(types(await(ch, 'Z', T))).isEqualTo("IZ");
        ch.finishAndReleaseAll();
    }

    @Test
    void extended_protocol_parse_bind_describe_execute_sync() {
        EmbeddedChannel ch = h.connected();
        h.tenants.createTenant("0123456789abcdef0123456789abcdef");
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b : List.of(Frontend.parse("", "tenant list"), Frontend.bind("", "", 1),
                Frontend.describe('P', ""), Frontend.execute("", 0), Frontend.sync())) {
            all.writeBytes(b);
            b.release();
        }
        ch.writeInbound(all);
        List<Msg> msgs = await(ch, 'Z', T);
        assertThat(types(msgs)).isEqualTo("12TDCZ");
        Msg row = msgs.get(3);
        // binary format was asked for every column: the int4 timelines count is 4 bytes, the int8 size 8
        assertThat(row.body().length).isEqualTo(2 + 4 + 32 + 4 + 4 + 4 + 8);
        ch.finishAndReleaseAll();
    }

    @Test
    void execute_with_a_row_limit_suspends_the_portal() {
        EmbeddedChannel ch = h.connected();
        h.tenants.createTenant(null);
        h.tenants.createTenant(null);
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b : List.of(Frontend.parse("s1", "tenant list"), Frontend.bind("p", "s1"),
                Frontend.execute("p", 1), Frontend.execute("p", 1), Frontend.sync())) {
            all.writeBytes(b);
            b.release();
        }
        ch.writeInbound(all);
        assertThat(types(await(ch, 'Z', T))).isEqualTo("12DsDCZ");
        ch.finishAndReleaseAll();
    }

    @Test
    void error_in_extended_protocol_skips_messages_until_sync() {
        EmbeddedChannel ch = h.connected();
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b : List.of(Frontend.parse("", "no such thing"), Frontend.bind("", ""),
                Frontend.execute("", 0), Frontend.sync(), Frontend.parse("", "tenant list"), Frontend.bind("", ""),
                Frontend.execute("", 0), Frontend.sync())) {
            all.writeBytes(b);
            b.release();
        }
        ch.writeInbound(all);
        List<Msg> msgs = await(ch, 'Z', T);
        msgs.addAll(drain(ch));
        if (types(msgs).chars().filter(c -> c == 'Z').count() < 2) {
            msgs.addAll(await(ch, 'Z', T));
        }
        assertThat(types(msgs)).isEqualTo("EZ12CZ");
        ch.finishAndReleaseAll();
    }

    @Test
    void oversized_query_is_refused_and_the_connection_stays_usable() {
        WireHarness small = new WireHarness(AuthConfig.trust(), PgServerConfig.defaults().withLimits(10, 1000,
                Duration.ofSeconds(60)));
        try {
            EmbeddedChannel ch = small.connected();
            ch.writeInbound(Frontend.query("tenant list " + "x".repeat(5000)));
            List<Msg> msgs = await(ch, 'Z', T);
            assertThat(msgs.get(0).errorField('C')).isEqualTo("54000");
            ch.writeInbound(Frontend.query("tenant list"));
            assertThat(types(await(ch, 'Z', T))).isEqualTo("TCZ");
            ch.finishAndReleaseAll();
        } finally {
            small.close();
        }
    }

    @Test
    void unframeable_input_is_fatal_and_closes() {
        EmbeddedChannel ch = h.connected();
        ch.writeInbound(Unpooled.buffer().writeByte('Q').writeInt(1));
        List<Msg> msgs = drain(ch);
        assertThat(msgs).hasSize(1);
        assertThat(msgs.get(0).errorField('S')).isEqualTo("FATAL");
        assertThat(msgs.get(0).errorField('C')).isEqualTo("08P01");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void terminate_closes_the_connection() {
        EmbeddedChannel ch = h.connected();
        ch.writeInbound(Frontend.terminate());
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void startup_without_user_is_refused() {
        EmbeddedChannel ch = h.channel();
        ch.writeInbound(Frontend.startup(Map.of("database", "x")));
        Msg e = drain(ch).get(0);
        assertThat(e.errorField('C')).isEqualTo("28000");
        ch.finishAndReleaseAll();
    }

    @Test
    void unfinished_authentication_times_out() throws InterruptedException {
        WireHarness quick = new WireHarness(AuthConfig.trust(), PgServerConfig.defaults().withLimits(10, 1 << 20,
                Duration.ofMillis(50)));
        try {
            EmbeddedChannel ch = quick.channel();
            Thread.sleep(100);
            ch.runScheduledPendingTasks();
            Msg e = drain(ch).get(0);
            assertThat(e.errorField('M')).contains("authentication not completed");
            assertThat(ch.isOpen()).isFalse();
            ch.finishAndReleaseAll();
        } finally {
            quick.close();
        }
    }

    @Test
    void messages_pipelined_behind_a_running_command_are_answered_in_order() {
        EmbeddedChannel ch = h.connected();
        ByteBuf all = Unpooled.buffer();
        for (int i = 0; i < 5; i++) {
            ByteBuf q = Frontend.query(i % 2 == 0 ? "tenant create" : "show server_version");
            all.writeBytes(q);
            q.release();
        }
        ch.writeInbound(all);
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + T.toNanos();
        while (seen.chars().filter(c -> c == 'Z').count() < 5 && System.nanoTime() < deadline) {
            seen.append(types(drain(ch)));
        }
        assertThat(seen.toString()).isEqualTo("TDCZ".repeat(5));
        ch.finishAndReleaseAll();
    }

    @Test
    void replication_connection_refuses_extended_protocol() {
        EmbeddedChannel ch = h.connected(Map.of("user", "u", "replication", "true"));
        ByteBuf p = Frontend.parse("", "IDENTIFY_SYSTEM");
        ByteBuf s = Frontend.sync();
        ch.writeInbound(p);
        ch.writeInbound(s);
        List<Msg> msgs = await(ch, 'Z', T);
        assertThat(msgs.get(0).errorField('M')).contains("extended query protocol not supported");
        ch.finishAndReleaseAll();
    }

    @Test
    void show_answers_what_pg_basebackup_asks() {
        EmbeddedChannel ch = h.connected(Map.of("user", "u", "replication", "true"));
        ch.writeInbound(Frontend.query("SHOW data_directory_mode"));
        List<Msg> msgs = await(ch, 'Z', T);
        assertThat(new String(msgs.get(1).body(), StandardCharsets.UTF_8)).contains("0700");
        ch.writeInbound(Frontend.query("SHOW wal_segment_size"));
        msgs = await(ch, 'Z', T);
        assertThat(new String(msgs.get(1).body(), StandardCharsets.UTF_8)).contains("16MB");
        ch.finishAndReleaseAll();
    }
}
