package dev.strata.wire.backup;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupWriterTest {
    private static final long LSN = Lsn.parse("0/3345678");
    private static final long PREV = Lsn.parse("0/3345600");
    private static final long NOW = 1_750_000_000L;

    /** global 1262 (+fsm), base/5: permanent 16384 (+vm), unlogged 16390 (main, init, fsm), tablespace 16500. */
    private static FakeView sampleView() {
        FakeView v = new FakeView(LSN);
        v.rel(1664, 0, 1262, 0, 2, b -> FakeView.page(b, 10));
        v.rel(1664, 0, 1262, 1, 1, b -> FakeView.page(b, 20));
        v.rel(1663, 5, 16384, 0, 3, b -> FakeView.page(b, 30));
        v.rel(1663, 5, 16384, 2, 1, b -> FakeView.page(b, 40));
        v.rel(1663, 5, 16387, 0, 0, b -> FakeView.page(b, 45));
        v.rel(1663, 5, 16390, 0, 2, b -> FakeView.page(b, 50));
        v.rel(1663, 5, 16390, 1, 1, b -> FakeView.page(b, 60));
        v.rel(1663, 5, 16390, 3, 1, b -> FakeView.page(b, 70));
        v.rel(16500, 5, 17000, 0, 1, b -> FakeView.page(b, 80));
        v.slrus.computeIfAbsent(Key.SLRU_CLOG, k -> new java.util.TreeMap<>()).put(0, new byte[8192]);
        v.slrus.computeIfAbsent(Key.SLRU_MULTIXACT_OFFSETS, k -> new java.util.TreeMap<>()).put(0, new byte[8192]);
        v.slrus.computeIfAbsent(Key.SLRU_MULTIXACT_MEMBERS, k -> new java.util.TreeMap<>()).put(1, new byte[16384]);
        v.twoPhase.put(740, twoPhaseState(64));
        return v;
    }

    /** A two-phase state as the PREPARE record carries it: header with total_len = length + 4, no CRC. */
    private static byte[] twoPhaseState(int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, TwoPhaseStateFile.TWOPHASE_MAGIC).putInt(4, length + 4).putInt(8, 740);
        return b.array();
    }

    private static TarSniffer write(FakeView v, BackupOptions opts) throws Exception {
        TarSniffer tar = new TarSniffer();
        new BackupWriter(v, LSN, PREV, opts, NOW).writeTo(tar);
        assertThat(tar.terminated()).isTrue();
        return tar;
    }

    private static long crcOfPages(int from, int count, int salt) {
        CRC32 crc = new CRC32();
        for (int b = from; b < from + count; b++) {
            crc.update(FakeView.page(b, salt));
        }
        return crc.getValue();
    }

    @Test
    void fullbackup_has_every_fork_under_postgres_names_and_ends_with_pg_control() throws Exception {
        TarSniffer tar = write(sampleView(), BackupOptions.fullbackup());
        List<String> names = tar.names();
        assertThat(names).startsWith("global/", "pg_wal/", "pg_wal/archive_status/");
        assertThat(names).contains("pg_commit_ts/", "pg_notify/", "pg_replslot/", "pg_subtrans/", "pg_twophase/",
                "pg_multixact/members/", "pg_multixact/offsets/", "pg_logical/snapshots/", "pg_logical/mappings/",
                "pg_tblspc/", "pg_stat/", "pg_xact/", "base/5/", "pg_tblspc/16500/",
                "pg_tblspc/16500/PG_15_202209061/", "pg_tblspc/16500/PG_15_202209061/5/");
        assertThat(names).contains("PG_VERSION", "postgresql.conf", "postgresql.auto.conf", "pg_hba.conf",
                "pg_ident.conf", "global/pg_filenode.map", "base/5/PG_VERSION", "base/5/pg_filenode.map");
        assertThat(names).contains("global/1262", "global/1262_fsm", "base/5/16384", "base/5/16384_vm",
                "base/5/16387", "pg_tblspc/16500/PG_15_202209061/5/17000");
        assertThat(names).contains("pg_xact/0000", "pg_multixact/offsets/0000", "pg_multixact/members/0001",
                "pg_twophase/000002E4", "pg_wal/000000010000000000000003");
        assertThat(names).doesNotContain("standby.signal", "neon.signal", "backup_label", "base/5/16390_fsm");
        assertThat(names.get(names.size() - 1)).isEqualTo("global/pg_control");
        assertThat(new String(tar.get("PG_VERSION").content(), StandardCharsets.US_ASCII)).isEqualTo("15\n");
        assertThat(tar.get("base/5/16384").crc()).isEqualTo(crcOfPages(0, 3, 30));
        assertThat(tar.get("base/5/16387").size()).isZero();
        assertThat(tar.get("pg_wal/000000010000000000000003").size()).isEqualTo(16 << 20);
        assertThat(tar.get("pg_multixact/members/0001").size()).isEqualTo(16384);
        assertThat(tar.get("base/5/PG_VERSION").type()).isEqualTo('0');
        assertThat(tar.get("base/5/").type()).isEqualTo('5');
    }

    @Test
    void unlogged_relations_get_their_init_fork_as_main_fork() throws Exception {
        TarSniffer tar = write(sampleView(), BackupOptions.fullbackup());
        assertThat(tar.get("base/5/16390_init").crc()).isEqualTo(crcOfPages(0, 1, 70));
        assertThat(tar.get("base/5/16390").crc()).isEqualTo(crcOfPages(0, 1, 70));
        assertThat(tar.names().stream().filter(n -> n.equals("base/5/16390"))).hasSize(1);
    }

    @Test
    void two_phase_state_gets_its_crc_appended() throws Exception {
        byte[] file = write(sampleView(), BackupOptions.fullbackup()).get("pg_twophase/000002E4").content();
        assertThat(file).hasSize(68);
        CRC32C crc = new CRC32C();
        crc.update(file, 0, 64);
        assertThat(ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(64)).isEqualTo((int) crc.getValue());
        FakeView v = sampleView();
        v.twoPhase.put(741, file);
        assertThat(write(v, BackupOptions.fullbackup()).get("pg_twophase/000002E5").content()).isEqualTo(file);
        byte[] bad = file.clone();
        bad[20] ^= 1;
        v.twoPhase.put(741, bad);
        assertThatThrownBy(() -> write(v, BackupOptions.fullbackup())).isInstanceOf(BackupException.class)
                .hasMessageContaining("transaction 741").hasMessageContaining("bad CRC");
    }

    @Test
    void pg_control_comes_from_the_stored_one_with_the_synthetic_checkpoint() throws Exception {
        FakeView v = sampleView();
        BackupWriter w = new BackupWriter(v, LSN, PREV, BackupOptions.fullbackup(), NOW);
        TarSniffer tar = new TarSniffer();
        w.writeTo(tar);
        byte[] control = tar.get("global/pg_control").content();
        assertThat(control).isEqualTo(w.controlFile()).hasSize(8192);
        ControlFile cf = ControlFile.parse(control, "backup");
        assertThat(cf.state()).isEqualTo(ControlFile.DB_SHUTDOWNED);
        assertThat(cf.checkPointLsn()).isEqualTo(LSN).isEqualTo(w.wal().checkpointLsn());
        assertThat(cf.checkPointCopy().redo()).isEqualTo(LSN);
        assertThat(cf.checkPointCopy().nextXid()).isEqualTo(747);
        assertThat(cf.systemIdentifier()).isEqualTo(Fixtures.SYSID);
        byte[] segment = new byte[16 << 20];
        w.wal().read(w.wal().segmentStartLsn(), segment, 0, segment.length);
        CRC32 crc = new CRC32();
        crc.update(segment);
        assertThat(tar.get("pg_wal/" + w.wal().segmentFileName()).crc()).isEqualTo(crc.getValue());
        assertThat(Arrays.copyOfRange(w.wal().checkpointRecord(), 26, 114))
                .as("the record's CheckPoint is pg_control's checkPointCopy").isEqualTo(Arrays.copyOfRange(control,
                        40, 128));
    }

    @Test
    void postgresql_conf_carries_the_primarys_limits() throws Exception {
        String conf = new String(write(sampleView(), BackupOptions.fullbackup()).get("postgresql.conf").content(),
                StandardCharsets.UTF_8);
        assertThat(conf).contains("max_connections = 100\n", "max_worker_processes = 8\n", "max_wal_senders = 10\n",
                "max_prepared_transactions = 5\n", "max_locks_per_transaction = 64\n", "wal_level = replica\n",
                "allow_in_place_tablespaces = on\n");
        FakeView noTablespaces = sampleView();
        noTablespaces.rels.keySet().removeIf(r -> r.spcNode() == 16500);
        assertThat(new String(write(noTablespaces, BackupOptions.fullbackup()).get("postgresql.conf").content(),
                StandardCharsets.UTF_8)).doesNotContain("allow_in_place_tablespaces");
    }

    @Test
    void basebackup_leaves_out_permanent_relation_data_and_adds_neon_signal_files() throws Exception {
        TarSniffer tar = write(sampleView(), BackupOptions.basebackup());
        assertThat(tar.names()).doesNotContain("global/1262", "base/5/16384", "base/5/16384_vm",
                "pg_tblspc/16500/PG_15_202209061/5/17000");
        assertThat(tar.names()).contains("base/5/16390", "base/5/16390_init", "global/pg_filenode.map",
                "base/5/pg_filenode.map", "pg_xact/0000", "pg_twophase/000002E4", "global/pg_control");
        assertThat(new String(tar.get("neon.signal").content(), StandardCharsets.US_ASCII))
                .isEqualTo("PREV LSN: 0/3345600");
        assertThat(tar.get("zenith.signal").content()).isEqualTo(tar.get("neon.signal").content());
    }

    @Test
    void replica_adds_standby_signal_conninfo_and_the_standby_control_file() throws Exception {
        BackupOptions opts = BackupOptions.fullbackup().withReplica("host=10.0.0.5 user=rep password='it''s\\x'")
                .withPrimarySlot("standby_1");
        FakeView v = sampleView();
        BackupWriter w = new BackupWriter(v, LSN, PREV, opts, NOW);
        TarSniffer tar = new TarSniffer();
        w.writeTo(tar);
        assertThat(tar.get("standby.signal").size()).isZero();
        assertThat(new String(tar.get("postgresql.auto.conf").content(), StandardCharsets.UTF_8))
                .contains("primary_conninfo = 'host=10.0.0.5 user=rep password=''it''''s\\\\x'''\n")
                .contains("primary_slot_name = 'standby_1'\n");
        ControlFile cf = ControlFile.parse(tar.get("global/pg_control").content(), "backup");
        assertThat(cf.state()).isEqualTo(ControlFile.DB_SHUTDOWNED_IN_RECOVERY);
        assertThat(Lsn.format(cf.checkPointLsn())).isEqualTo("0/4000028");
        assertThat(cf.checkPointCopy().redo()).isEqualTo(LSN);
        assertThat(cf.minRecoveryPoint()).isEqualTo(LSN);
        assertThat(cf.checkPointCopy().oldestActiveXid()).as("the prepared transaction").isEqualTo(740);
        assertThat(tar.names()).contains("pg_wal/000000010000000000000004");
    }

    @Test
    void oldest_active_xid_compares_modulo_two_to_the_32() {
        assertThat(BackupWriter.oldestActiveXid(100, List.of(90, 95))).isEqualTo(90);
        assertThat(BackupWriter.oldestActiveXid(5, List.of(0xFFFFFFF0))).isEqualTo(0xFFFFFFF0);
        assertThat(BackupWriter.oldestActiveXid(100, List.of())).isEqualTo(100);
    }

    @Test
    void wal_can_be_left_out_for_pg_basebackup_streaming() throws Exception {
        assertThat(write(sampleView(), BackupOptions.fullbackup().withWal(false)).names())
                .noneMatch(n -> n.startsWith("pg_wal/0"));
    }

    @Test
    void estimated_size_is_the_exact_tar_length() throws Exception {
        for (BackupOptions opts : List.of(BackupOptions.fullbackup(), BackupOptions.basebackup(),
                BackupOptions.fullbackup().withReplica("host=x").withWal(false))) {
            BackupWriter w = new BackupWriter(sampleView(), LSN, PREV, opts, NOW);
            TarSniffer tar = new TarSniffer();
            w.writeTo(tar);
            assertThat(w.estimatedSize()).as(opts.toString()).isEqualTo(tar.total);
        }
    }

    @Test
    void gzip_holds_the_same_tar_and_commons_compress_reads_it() throws Exception {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        new BackupWriter(sampleView(), LSN, PREV, BackupOptions.fullbackup(), NOW).writeTo(plain);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        new BackupWriter(sampleView(), LSN, PREV, BackupOptions.fullbackup().withGzip(true), NOW).writeTo(gz);
        assertThat(gz.size()).isLessThan(plain.size() / 10);
        byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(gz.toByteArray())).readAllBytes();
        assertThat(unzipped).isEqualTo(plain.toByteArray());
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(unzipped))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                assertThat(e.isCheckSumOK()).isTrue();
                assertThat(e.getModTime().toInstant().getEpochSecond()).isEqualTo(NOW);
                assertThat(e.getMode()).isEqualTo(e.isDirectory() ? 0700 : 0600);
                if (e.getName().equals("base/5/16384")) {
                    assertThat(in.readAllBytes()).hasSize(3 * 8192).startsWith(FakeView.page(0, 30));
                }
                names.add(e.getName());
            }
        }
        TarSniffer tar = new TarSniffer();
        tar.write(plain.toByteArray());
        assertThat(names).isEqualTo(tar.names());
    }

    @Test
    void listener_sees_every_entry_and_byte() throws Exception {
        List<String> files = new ArrayList<>();
        long[] bytes = {0, 0};
        BackupWriter.Listener l = new BackupWriter.Listener() {
            @Override
            public void beginFile(String path, long size, long mtime) {
                files.add(path);
                bytes[0] += size;
            }

            @Override
            public void data(byte[] b, int off, int len) {
                bytes[1] += len;
            }
        };
        TarSniffer tar = new TarSniffer();
        new BackupWriter(sampleView(), LSN, PREV, BackupOptions.fullbackup().withGzip(true), NOW)
                .writeTo(new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                    }
                }, l);
        new BackupWriter(sampleView(), LSN, PREV, BackupOptions.fullbackup(), NOW).writeTo(tar);
        assertThat(files).isEqualTo(tar.entries.stream().filter(e -> e.type() == '0').map(TarSniffer.Entry::name)
                .toList());
        assertThat(bytes[1]).isEqualTo(bytes[0]).isEqualTo(tar.entries.stream().mapToLong(TarSniffer.Entry::size)
                .sum());
    }

    @Test
    void pages_get_valid_checksums_when_the_cluster_has_them() throws Exception {
        FakeView v = sampleView();
        v.control = Fixtures.control(v.checkpoint, 16 << 20, 1);
        TarSniffer tar = write(v, BackupOptions.fullbackup());
        byte[] rel = tar.get("base/5/16384").content();
        for (int b = 0; b < 3; b++) {
            short stored = ByteBuffer.wrap(rel, b * 8192 + 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
            assertThat(stored).isEqualTo(PageChecksum.compute(rel, b * 8192, b));
        }
        assertThat(v.relPage(new RelTag(1663, 5, 16384, 0), 0, LSN)).as("the view's page is untouched")
                .isEqualTo(FakeView.page(0, 30));
    }

    @Test
    void relation_of_more_than_one_gibibyte_is_split_at_131072_blocks() throws Exception {
        FakeView v = new FakeView(LSN);
        byte[][] pages = new byte[256][];
        for (int i = 0; i < 256; i++) {
            pages[i] = FakeView.page(i, 0);
        }
        v.rel(1663, 5, 24576, 0, 131072 + 5, b -> pages[b & 0xFF]);
        TarSniffer tar = write(v, BackupOptions.fullbackup());
        assertThat(tar.get("base/5/24576").size()).isEqualTo(1L << 30);
        assertThat(tar.get("base/5/24576.1").size()).isEqualTo(5 * 8192);
        CRC32 crc = new CRC32();
        for (int b = 131072; b < 131077; b++) {
            crc.update(pages[b & 0xFF]);
        }
        assertThat(tar.get("base/5/24576.1").crc()).isEqualTo(crc.getValue());
        assertThat(tar.names()).doesNotContain("base/5/24576.2");
    }

    @Test
    void a_page_of_the_wrong_size_fails_naming_the_block_relation_and_lsn() {
        FakeView v = sampleView();
        v.rel(1663, 5, 16384, 0, 3, b -> b == 1 ? new byte[100] : FakeView.page(b, 30));
        assertThatThrownBy(() -> write(v, BackupOptions.fullbackup())).isInstanceOf(BackupException.class)
                .hasMessageContaining("block 1 of 1663/5/16384").hasMessageContaining("0/3345678")
                .hasMessageContaining("100 bytes");
    }

    @Test
    void a_page_newer_than_the_backup_lsn_fails_naming_both_lsns() {
        FakeView v = sampleView();
        v.rel(1663, 5, 16384, 0, 3, b -> {
            byte[] p = FakeView.page(b, 30);
            if (b == 2) {
                ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0).putInt(4, 0x3345700);
            }
            return p;
        });
        assertThatThrownBy(() -> write(v, BackupOptions.fullbackup())).isInstanceOf(BackupException.class)
                .hasMessageContaining("block 2 of 1663/5/16384 (base/5/16384)")
                .hasMessageContaining("page LSN 0/3345700").hasMessageContaining("read at 0/3345678");
    }

    @Test
    void pg_xact_must_hold_the_page_of_the_next_xid() {
        FakeView v = sampleView();
        v.checkpoint = Fixtures.checkpoint(LSN - 200, 1, 40000, 16410, 1, 0, 716, 1);
        v.control = Fixtures.control(v.checkpoint, 16 << 20, 0);
        assertThatThrownBy(() -> new BackupWriter(v, LSN, PREV, BackupOptions.fullbackup(), NOW))
                .isInstanceOf(BackupException.class).hasMessageContaining("pg_xact/0000 at 0/3345678 has 1 pages")
                .hasMessageContaining("next XID (40000) is on its page 1");
        v.checkpoint = Fixtures.checkpoint(LSN - 200, 1, 32768, 16410, 3000, 0, 716, 1);
        assertThatThrownBy(() -> new BackupWriter(v, LSN, PREV, BackupOptions.fullbackup(), NOW))
                .hasMessageContaining("pg_multixact/offsets/0000").hasMessageContaining("next multixact (3000)");
        v.checkpoint = Fixtures.checkpoint(LSN - 200, 1, 32768, 16410, 2048, 0, 716, 1);
        new BackupWriter(v, LSN, PREV, BackupOptions.fullbackup(), NOW);
        new BackupWriter(sampleView(), LSN, PREV, BackupOptions.fullbackup().withReplica("host=x"), NOW);
    }

    @Test
    void a_missing_relation_fails_naming_the_file_and_lsn() {
        FakeView v = new FakeView(LSN) {
            @Override
            public int relSize(RelTag rel, long at) {
                throw new dev.strata.storage.KeyNotFoundException("no size key for " + rel);
            }
        };
        v.rel(1663, 5, 16384, 0, 3, b -> FakeView.page(b, 30));
        assertThatThrownBy(() -> write(v, BackupOptions.fullbackup())).isInstanceOf(BackupException.class)
                .hasMessageContaining("the size of 1663/5/16384").hasMessageContaining("at 0/3345678")
                .hasMessageContaining("no size key");
    }

    @Test
    void without_a_global_relmap_no_tar_is_written() {
        FakeView v = sampleView();
        v.relmaps.remove(List.of(1664, 0));
        TarSniffer tar = new TarSniffer();
        assertThatThrownBy(() -> new BackupWriter(v, LSN, PREV, BackupOptions.fullbackup(), NOW).writeTo(tar))
                .isInstanceOf(BackupException.class).hasMessageContaining("global/pg_filenode.map");
        assertThat(tar.names()).doesNotContain("global/pg_control");
    }

    @Test
    void replica_options_need_a_conninfo_and_a_valid_slot_name() {
        assertThatThrownBy(() -> BackupOptions.fullbackup().withReplica(" "))
                .hasMessageContaining("primary's conninfo");
        assertThatThrownBy(() -> BackupOptions.fullbackup().withReplica("host=x").withPrimarySlot("Bad-Name"))
                .hasMessageContaining("Bad-Name");
        assertThatThrownBy(() -> BackupOptions.fullbackup().withPrimarySlot("s"))
                .hasMessageContaining("withReplica");
    }
}
