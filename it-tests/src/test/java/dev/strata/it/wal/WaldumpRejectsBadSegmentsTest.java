package dev.strata.it.wal;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Damaged or foreign WAL from a real primary (1 MiB segments, so that a few seconds of work span several files):
 * a truncated segment, a flipped byte in a record, a segment from another system and one from another timeline.
 * Each must stop {@code strata waldump} with exit status 1 and a message naming the file and the LSN, after
 * printing exactly the records before the damage: never a crash, never a silently skipped record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WaldumpRejectsBadSegmentsTest {
    private static final int SEG = 1 << 20;
    private TestPrimary pg;
    private Path intact;
    private List<WaldumpLine> intactLines;

    @BeforeAll
    void generateWal() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        pg = TestPrimary.builder().initdbArg("--wal-segsize=1").setting("wal_keep_size", "1GB")
                .setting("autovacuum", "off").start();
        pg.sql("CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 30000) g",
                "UPDATE t SET v = v || 'x' WHERE id % 2 = 0",
                "CHECKPOINT");
        intact = copyCompleteSegments(pg.walDir(), pg.scratchDir("intact"));
        StrataWaldump ok = StrataWaldump.run("--path", intact.toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        intactLines = WaldumpLine.parseAll(ok.out());
        String pgOut = pg.tool("pg_waldump", "--path", intact.toString(), "--start",
                intactLines.get(0).lsn(), "--end", Lsn.format(lastCompleteLsn()));
        List<WaldumpLine> expected = WaldumpLine.parseAll(pgOut);
        assertThat(intactLines.subList(0, expected.size())).zipSatisfy(expected,
                (a, e) -> assertThat(a.sameFields(e)).as("%s%n%s", a.text(), e.text()).isTrue());
        assertThat(segments(intact)).hasSizeGreaterThanOrEqualTo(4);
    }

    @AfterAll
    void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void a_truncated_segment_stops_with_the_file_and_lsn_after_the_records_before_it() throws IOException {
        Path dir = copy(intact, "truncated");
        Path victim = segments(dir).get(2);
        Files.write(victim, java.util.Arrays.copyOf(Files.readAllBytes(victim), 300_000));
        long cut = segmentStart(victim) + 300_000;
        StrataWaldump r = StrataWaldump.run("--path", dir.toString());
        System.out.print(r.err());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(victim.getFileName().toString()).contains("truncated")
                .contains(Lsn.format(cut));
        assertPrefixOfIntact(r, cut);
    }

    @Test
    void a_flipped_byte_stops_at_that_record_naming_file_and_lsn() throws IOException {
        Path dir = copy(intact, "flipped");
        Path seg = segments(dir).get(1);
        long segStart = segmentStart(seg);
        WaldumpLine victim = intactLines.stream().filter(l -> Lsn.parse(l.lsn()) > segStart + 100_000
                && l.totLen() > 60).findFirst().orElseThrow();
        long lsn = Lsn.parse(victim.lsn());
        byte[] bytes = Files.readAllBytes(seg);
        bytes[(int) (lsn - segStart) + 40] ^= 0x04;
        Files.write(seg, bytes);
        StrataWaldump r = StrataWaldump.run("--path", dir.toString());
        System.out.print(r.err());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(seg.getFileName().toString()).contains(Lsn.format(lsn)).contains("checksum");
        List<WaldumpLine> printed = WaldumpLine.parseAll(r.out());
        assertThat(printed).hasSize(intactLines.indexOf(victim));
        assertPrefixOfIntact(r, lsn);
    }

    @Test
    void a_segment_from_another_system_is_rejected_naming_the_file() throws Exception {
        Path dir = copy(intact, "foreign");
        Path victim = segments(dir).get(2);
        try (TestPrimary other = TestPrimary.builder().initdbArg("--wal-segsize=1").start()) {
            other.sql("CREATE TABLE x AS SELECT generate_series(1, 1000) g", "SELECT pg_switch_wal()");
            Path theirs = segments(other.walDir()).get(0);
            Files.copy(theirs, victim, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        StrataWaldump r = StrataWaldump.run("--path", dir.toString());
        System.out.print(r.err());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(victim.getFileName().toString()).contains("different database system")
                .contains(Lsn.format(segmentStart(victim)));
        assertPrefixOfIntact(r, segmentStart(victim));
    }

    @Test
    void a_segment_from_a_later_timeline_is_rejected_naming_the_file() throws Exception {
        Path dir = pg.scratchDir("timeline");
        try (TestPrimary other = TestPrimary.builder().initdbArg("--wal-segsize=1").start()) {
            // end an archive recovery: the server moves to timeline 2
            other.sql("ALTER SYSTEM SET restore_command = 'false'");
            other.stopServer("fast");
            Files.writeString(other.dataDir().resolve("recovery.signal"), "");
            other.startAgain();
            // hot standby accepts connections during the recovery; wait for its end
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!"f".equals(other.queryString("SELECT pg_is_in_recovery()")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(other.queryString("SELECT timeline_id FROM pg_control_checkpoint()")).isEqualTo("2");
            other.sql("SELECT pg_switch_wal()", "CREATE TABLE x AS SELECT generate_series(1, 1000) g");
            String name = other.queryString("SELECT pg_walfile_name(pg_current_wal_insert_lsn())");
            other.sql("SELECT pg_switch_wal()");
            assertThat(name).startsWith("00000002");
            Path tli2 = other.walDir().resolve(name);
            String asTli1 = "00000001" + tli2.getFileName().toString().substring(8);
            Files.copy(tli2, dir.resolve(asTli1));
            StrataWaldump r = StrataWaldump.run("--path", dir.toString());
            System.out.print(r.err());
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains(asTli1).contains("timeline 2").contains(Lsn.format(segmentStart(tli2)));
            StrataWaldump own = StrataWaldump.run("--path", other.walDir().toString(), "--timeline", "2");
            assertThat(own.exitCode()).as(own.err()).isZero();
        }
    }

    /** The records printed before an error are exactly the intact WAL's records up to that LSN. */
    private void assertPrefixOfIntact(StrataWaldump r, long stopLsn) {
        List<WaldumpLine> printed = WaldumpLine.parseAll(r.out());
        assertThat(printed).isNotEmpty();
        for (int i = 0; i < printed.size(); i++) {
            assertThat(printed.get(i).sameFields(intactLines.get(i))).as(printed.get(i).text()).isTrue();
        }
        assertThat(Lsn.parse(printed.get(printed.size() - 1).lsn())).isLessThan(stopLsn);
        WaldumpLine next = intactLines.get(printed.size());
        assertThat(Lsn.parse(next.lsn()) + next.totLen()).as("first record not printed reaches the damage")
                .isGreaterThan(stopLsn - 8192);
    }

    private long lastCompleteLsn() throws IOException {
        List<Path> segs = segments(intact);
        return segmentStart(segs.get(segs.size() - 1)) + SEG;
    }

    private static long segmentStart(Path segment) {
        String n = segment.getFileName().toString();
        long segsPerId = 0x1_0000_0000L / SEG;
        return (Long.parseLong(n.substring(8, 16), 16) * segsPerId + Long.parseLong(n.substring(16, 24), 16)) * SEG;
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).sorted().toList();
        }
    }

    /** Copies every segment older than the one being written (those are complete and no longer change). */
    private static Path copyCompleteSegments(Path walDir, Path to) throws IOException {
        List<Path> segs = segments(walDir);
        for (Path p : segs.subList(0, segs.size() - 1)) {
            Files.copy(p, to.resolve(p.getFileName()));
        }
        return to;
    }

    private Path copy(Path from, String name) throws IOException {
        Path to = pg.scratchDir(name);
        for (Path p : segments(from)) {
            Files.copy(p, to.resolve(p.getFileName()));
        }
        return to;
    }
}
