package dev.strata.storage.timeline;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.LsnBelowGcCutoffException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimelineBasicsTest {
    @TempDir
    Path dir;

    private static final RelTag REL = new RelTag(1663, 5, 16384, 0);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private EngineConfig config() {
        return new EngineConfig().withSmallLimitsForTests().compactionPeriod(Duration.ZERO).gcPeriod(Duration.ZERO);
    }

    @Test
    void readsImagesAndRecordsAtEveryLsnAcrossFlushCompactionAndReopen() {
        String tenantId;
        String tlId;
        Key k = Key.relBlock(REL, 7);
        try (LocalTenantManager m = new LocalTenantManager(dir, config(), new AppendRedo())) {
            var tenant = m.createTenant(null);
            tenantId = tenant.tenantId();
            Timeline tl = tenant.createTimeline(null, 100);
            tlId = tl.timelineId();
            TimelineWriter w = tl.writer();
            w.put(k, 110, Value.image(b("A")));
            w.finishRecord(100, 110);
            w.put(k, 120, Value.pgRecord(b("b"), false));
            w.finishRecord(110, 120);
            tl.checkpoint();
            w.put(k, 130, Value.pgRecord(b("c"), false));
            w.finishRecord(120, 130);
            tl.checkpoint();
            w.put(k, 140, Value.pgRecord(b("X"), true));
            w.finishRecord(130, 140);
            w.put(k, 150, Value.pgRecord(b("d"), false));
            w.finishRecord(140, 150);

            assertThat(tl.lastRecordLsn()).isEqualTo(150);
            assertThat(tl.prevRecordLsn()).isEqualTo(140);
            assertThat(tl.diskConsistentLsn()).isEqualTo(130);
            assertReads(tl, k);
            assertThat(tl.compact()).contains("L0 compaction");
            assertReads(tl, k);
            assertThat(tl.layers()).extracting(LayerInfo::kind).contains("delta-l1", "in-memory");
        }
        try (LocalTenantManager m = new LocalTenantManager(dir, config(), new AppendRedo())) {
            Timeline tl = m.tenant(tenantId).timeline(tlId);
            assertThat(tl.diskConsistentLsn()).isEqualTo(150);
            assertThat(tl.lastRecordLsn()).isEqualTo(150);
            assertThat(tl.prevRecordLsn()).isEqualTo(140);
            assertReads(tl, k);
        }
    }

    private static void assertReads(Timeline tl, Key k) {
        assertThatThrownBy(() -> tl.get(k, 105)).isInstanceOf(KeyNotFoundException.class)
                .hasMessageContaining(k.toString()).hasMessageContaining("0/69");
        assertThat(tl.getOrNull(k, 109)).isNull();
        assertThat(s(tl.get(k, 110))).isEqualTo("A");
        assertThat(s(tl.get(k, 119))).isEqualTo("A");
        assertThat(s(tl.get(k, 120))).isEqualTo("Ab");
        assertThat(s(tl.get(k, 135))).isEqualTo("Abc");
        assertThat(s(tl.get(k, 140))).isEqualTo("X");
        assertThat(s(tl.get(k, 150))).isEqualTo("Xd");
        assertThat(tl.keys(Key.MIN, Key.MAX, 109)).isEmpty();
        assertThat(tl.keys(Key.MIN, Key.MAX, 150)).containsExactly(k);
    }

    @Test
    void branchReadsItsOwnValuesThenItsAncestorAtTheBranchPoint() {
        Key k = Key.relBlock(REL, 1);
        Key k2 = Key.relBlock(REL, 2);
        try (LocalTenantManager m = new LocalTenantManager(dir, config(), new AppendRedo())) {
            var tenant = m.createTenant(null);
            Timeline main = tenant.createTimeline(null, 10);
            main.writer().put(k, 20, Value.image(b("p")));
            main.writer().finishRecord(10, 20);
            main.writer().put(k, 30, Value.pgRecord(b("q"), false));
            main.writer().finishRecord(20, 30);
            Timeline br = tenant.branch(main.timelineId(), null, 20);
            assertThat(br.ancestorLsn()).isEqualTo(20);
            assertThat(s(br.get(k, 20))).isEqualTo("p");
            br.writer().put(k, 25, Value.pgRecord(b("z"), false));
            br.writer().put(k2, 25, Value.image(b("new")));
            br.writer().finishRecord(20, 25);
            assertThat(s(br.get(k, 25))).isEqualTo("pz");
            assertThat(s(main.get(k, 30))).isEqualTo("pq");
            assertThat(main.getOrNull(k2, 30)).isNull();
            assertThat(br.keys(Key.MIN, Key.MAX, 25)).containsExactly(k, k2);
            br.checkpoint();
            main.checkpoint();
            String brId = br.timelineId();
            String tId = tenant.tenantId();
            m.close();
            try (LocalTenantManager m2 = new LocalTenantManager(dir, config(), new AppendRedo())) {
                Timeline br2 = m2.tenant(tId).timeline(brId);
                assertThat(s(br2.get(k, 25))).isEqualTo("pz");
                assertThat(s(br2.get(k2, 25))).isEqualTo("new");
            }
        }
    }

    @Test
    void anImportAtTheStartLsnBecomesAnImageLayerAndSurvivesAReopen() {
        String tenantId;
        String tlId;
        try (LocalTenantManager m = new LocalTenantManager(dir, config(), new AppendRedo())) {
            var tenant = m.createTenant(null);
            tenantId = tenant.tenantId();
            Timeline tl = tenant.createTimeline(null, 500);
            tlId = tl.timelineId();
            tl.setState(TimelineState.LOADING, null);
            for (int i = 0; i < 100; i++) {
                tl.writer().put(Key.relBlock(REL, i), 500, Value.image(b("page" + i)));
            }
            tl.writer().put(Key.relSize(REL), 500, Value.image(new byte[]{100, 0, 0, 0}));
            tl.writer().finishRecord(0, 500);
            tl.setState(TimelineState.ACTIVE, null);
            tl.setProperty("wal_source", "host=127.0.0.1 port=5432");
            tl.writer().put(Key.relBlock(REL, 3), 520, Value.pgRecord(b("+x"), false));
            tl.writer().finishRecord(500, 520);
            tl.checkpoint();
            assertThat(tl.layers()).extracting(LayerInfo::kind).containsExactly("in-memory", "delta-l0", "image");
            assertThat(tl.layers().get(2).lsnStart()).isEqualTo(500);
            assertThat(s(tl.get(Key.relBlock(REL, 3), 520))).isEqualTo("page3+x");
        }
        try (LocalTenantManager m = new LocalTenantManager(dir, config(), new AppendRedo())) {
            Timeline tl = m.tenant(tenantId).timeline(tlId);
            assertThat(tl.state()).isEqualTo(TimelineState.ACTIVE);
            assertThat(tl.properties()).containsEntry("wal_source", "host=127.0.0.1 port=5432");
            assertThat(tl.prevRecordLsn()).isEqualTo(500);
            assertThat(s(tl.get(Key.relBlock(REL, 99), 500))).isEqualTo("page99");
            assertThat(s(tl.get(Key.relBlock(REL, 3), 520))).isEqualTo("page3+x");
            assertThat(tl.keys(Key.MIN, Key.MAX, 500)).hasSize(101);
            assertThat(tl.stats().imageLayers()).isEqualTo(1);
        }
    }

    @Test
    void anUnflushedBranchPointIsMadeDurableBeforeTheBranchExists() {
        Key k = Key.relBlock(REL, 9);
        try (LocalTenantManager m = new LocalTenantManager(dir, config(), new AppendRedo())) {
            Timeline main = m.createTenant(null).createTimeline(null, 10);
            main.writer().put(k, 20, Value.image(b("v")));
            main.writer().finishRecord(10, 20);
            assertThat(main.diskConsistentLsn()).isEqualTo(10);
            Timeline br = m.tenant(main.tenantId()).branch(main.timelineId(), null, 0);
            assertThat(br.ancestorLsn()).isEqualTo(20);
            assertThat(main.diskConsistentLsn()).isEqualTo(20);
            assertThat(br.prevRecordLsn()).isEqualTo(10);
        }
    }

    @Test
    void gcRemovesLayersCoveredByNewerImagesAndKeepsLeasedLsnsReadable() {
        Key k = Key.relBlock(REL, 3);
        try (LocalTenantManager m = new LocalTenantManager(dir, config().gcHorizon(100), new AppendRedo())) {
            Timeline tl = m.createTenant(null).createTimeline(null, 1000);
            long lsn = 1000;
            String at1200 = null;
            for (int i = 0; i < 50; i++) {
                tl.writer().put(k, lsn + 10, i % 10 == 0 ? Value.image(b("i" + i)) : Value.pgRecord(b("+" + i), false));
                tl.writer().finishRecord(lsn, lsn + 10);
                lsn += 10;
                if (lsn == 1200) {
                    at1200 = s(tl.get(k, 1200));
                    tl.leaseLsn(1200, Duration.ofMinutes(1));
                }
                if (i % 5 == 4) {
                    tl.checkpoint();
                }
                if (i % 10 == 9) {
                    tl.compact();
                }
            }
            // L1s end at 1100, 1200, 1300, 1400, 1500; images were made at 1200 and 1400 (two L1s above the last).
            assertThat(tl.layers()).filteredOn(l -> l.kind().equals("image")).extracting(LayerInfo::lsnStart)
                    .containsExactly(1400L, 1200L);
            assertThat(tl.gc()).contains("cutoff 0/578").contains("removed 4 layers");
            assertThat(tl.gcCutoffLsn()).isEqualTo(1400);
            assertThat(tl.layers()).filteredOn(l -> !l.kind().equals("in-memory"))
                    .extracting(l -> l.kind() + "@" + l.lsnStart())
                    .containsExactlyInAnyOrder("delta-l1@1401", "image@1400", "image@1200");
            assertThatThrownBy(() -> tl.get(k, 1300)).isInstanceOf(LsnBelowGcCutoffException.class)
                    .hasMessageContaining("0/578");
            assertThat(s(tl.get(k, 1200))).isEqualTo(at1200).isEqualTo("i10+11+12+13+14+15+16+17+18+19");
            assertThat(s(tl.get(k, 1400))).isEqualTo("i30+31+32+33+34+35+36+37+38+39");
            assertThat(s(tl.get(k, 1500))).isEqualTo("i40+41+42+43+44+45+46+47+48+49");
            assertThat(tl.stats().gcLayersRemoved()).isEqualTo(4);
        }
    }
}
