package dev.strata.replication.basebackup;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PgDataPathTest {
    @Test
    void relationSegmentFilesNameTheirForkAndSegment() {
        assertThat(PgDataPath.of(null, "base/5/16384", false))
                .isEqualTo(new PgDataPath.RelationFile(new RelTag(1663, 5, 16384, 0), 0));
        assertThat(PgDataPath.of(null, "base/5/16384_vm.2", false))
                .isEqualTo(new PgDataPath.RelationFile(new RelTag(1663, 5, 16384, 2), 2));
        assertThat(PgDataPath.of(null, "global/1262_fsm", false))
                .isEqualTo(new PgDataPath.RelationFile(new RelTag(1664, 0, 1262, 1), 0));
        assertThat(PgDataPath.of(16500, "PG_15_202209061/5/16390_init", false))
                .isEqualTo(new PgDataPath.RelationFile(new RelTag(16500, 5, 16390, 3), 0));
    }

    @Test
    void controlRelmapSlruAndTwoPhaseFilesAreRecognised() {
        assertThat(PgDataPath.of(null, "global/pg_control", false)).isInstanceOf(PgDataPath.ControlFile.class);
        assertThat(PgDataPath.of(null, "global/pg_filenode.map", false))
                .isEqualTo(new PgDataPath.RelmapFile(1664, 0));
        assertThat(PgDataPath.of(null, "base/1/pg_filenode.map", false)).isEqualTo(new PgDataPath.RelmapFile(1663, 1));
        assertThat(PgDataPath.of(null, "pg_xact/000A", false))
                .isEqualTo(new PgDataPath.SlruSegment(Key.SLRU_CLOG, 10));
        assertThat(PgDataPath.of(null, "pg_multixact/members/1A2B3", false))
                .isEqualTo(new PgDataPath.SlruSegment(Key.SLRU_MULTIXACT_MEMBERS, 0x1A2B3));
        assertThat(PgDataPath.of(null, "pg_twophase/000003E8", false)).isEqualTo(new PgDataPath.TwoPhaseFile(1000));
        assertThat(PgDataPath.of(null, "base/5/", true)).isEqualTo(new PgDataPath.DatabaseDir(1663, 5));
    }

    @Test
    void everythingElseIsIgnored() {
        for (String p : new String[] {"base/5/PG_VERSION", "base/5/pg_internal.init", "base/5/t3_16400",
                "postgresql.conf", "backup_label", "pg_wal/000000010000000000000003", "base/pgsql_tmp/x",
                "pg_stat/pgstat.stat"}) {
            assertThat(PgDataPath.of(null, p, false)).as(p).isInstanceOf(PgDataPath.Other.class);
        }
    }
}
