package dev.strata.wire.connection;

import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.BackupSource;
import dev.strata.wire.PgServerConfig;
import dev.strata.wire.auth.AuthConfig;
import dev.strata.wire.testkit.Frontend;
import dev.strata.wire.testkit.LeakCheck;
import dev.strata.wire.testkit.WireHarness;
import dev.strata.wire.testkit.WireHarness.Msg;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LeakCheck.class)
class CancelRequestTest {
    private static final String TENANT = "11111111111111111111111111111111";
    private static final String TIMELINE = "22222222222222222222222222222222";

    /** A backup generator whose tar never ends until the thread is interrupted. */
    private static final class StuckBackups implements BackupSource {
        final CountDownLatch started = new CountDownLatch(1);

        @Override
        public void writeTar(DatadirView view, Timeline timeline, long lsn, Options options, OutputStream out)
                throws InterruptedIOException {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted");
            }
        }

        @Override
        public WalSegment walSegment(DatadirView view, Timeline timeline, long lsn) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void cancel_request_with_the_right_key_cancels_the_running_command() throws Exception {
        StuckBackups backups = new StuckBackups();
        try (WireHarness h = new WireHarness(AuthConfig.trust(), PgServerConfig.defaults(), backups)) {
            h.tenants.createTenant(TENANT).createTimeline(TIMELINE, 0x1000000);
            EmbeddedChannel a = h.channel();
            a.writeInbound(Frontend.startup(Map.of("user", "u")));
            List<Msg> startup = WireHarness.await(a, 'Z', Duration.ofSeconds(5));
            ByteBuffer key = ByteBuffer.wrap(startup.stream().filter(m -> m.type() == 'K').findFirst().orElseThrow()
                    .body());
            int pid = key.getInt();
            int secret = key.getInt();

            a.writeInbound(Frontend.query("fullbackup " + TENANT + " " + TIMELINE));
            assertThat(backups.started.await(5, TimeUnit.SECONDS)).isTrue();

            EmbeddedChannel wrongKey = h.channel();
            wrongKey.writeInbound(Frontend.cancel(pid, secret + 1));
            Thread.sleep(100);
            assertThat(WireHarness.drain(a)).extracting(Msg::type).containsExactly('H');

            EmbeddedChannel b = h.channel();
            b.writeInbound(Frontend.cancel(pid, secret));
            assertThat(WireHarness.drain(b)).isEmpty();
            assertThat(b.isOpen()).isFalse();
            List<Msg> msgs = WireHarness.await(a, 'Z', Duration.ofSeconds(5));
            Msg error = msgs.stream().filter(m -> m.type() == 'E').findFirst().orElseThrow();
            assertThat(error.errorField('C')).isEqualTo("57014");
            assertThat(error.errorField('M')).contains("canceling statement due to user request");
            a.finishAndReleaseAll();
            wrongKey.finishAndReleaseAll();
            b.finishAndReleaseAll();
        }
    }
}
