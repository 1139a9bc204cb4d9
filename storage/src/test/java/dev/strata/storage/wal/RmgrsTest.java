package dev.strata.storage.wal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RmgrsTest {
    @Test
    void names_resource_managers_as_pg_waldump_does() {
        assertThat(Rmgrs.name(0)).isEqualTo("XLOG");
        assertThat(Rmgrs.name(9)).isEqualTo("Heap2");
        assertThat(Rmgrs.name(10)).isEqualTo("Heap");
        assertThat(Rmgrs.name(19)).isEqualTo("ReplicationOrigin");
        assertThat(Rmgrs.name(21)).isEqualTo("LogicalMessage");
        assertThat(Rmgrs.name(22)).isNull();
        assertThat(Rmgrs.name(130)).isEqualTo("custom130");
    }

    @Test
    void names_record_types_with_the_masks_each_rmgr_uses() {
        assertThat(Rmgrs.recordType(10, 0x80)).isEqualTo("INSERT+INIT");
        assertThat(Rmgrs.recordType(10, 0x82)).isEqualTo("INSERT+INIT");
        assertThat(Rmgrs.recordType(10, 0x40)).isEqualTo("HOT_UPDATE");
        assertThat(Rmgrs.recordType(10, 0x50)).isEqualTo("HEAP_CONFIRM");
        assertThat(Rmgrs.recordType(10, 0x90)).isEqualTo("UNKNOWN (90)");
        assertThat(Rmgrs.recordType(9, 0xD0)).isEqualTo("MULTI_INSERT+INIT");
        assertThat(Rmgrs.recordType(1, 0x80)).isEqualTo("COMMIT");
        assertThat(Rmgrs.recordType(1, 0x60)).isEqualTo("INVALIDATION");
        assertThat(Rmgrs.recordType(0, 0xA0)).isEqualTo("FPI_FOR_HINT");
        assertThat(Rmgrs.recordType(0, 0xC0)).isEqualTo("UNKNOWN (c0)");
        assertThat(Rmgrs.recordType(8, 0x10)).isEqualTo("RUNNING_XACTS");
        assertThat(Rmgrs.recordType(2, 0x11)).isEqualTo("CREATE");
        assertThat(Rmgrs.recordType(18, 0x10)).isEqualTo("TRUNCATE");
        assertThat(Rmgrs.recordType(18, 0x12)).isEqualTo("UNKNOWN (10)");
        assertThat(Rmgrs.recordType(20, 0x70)).isEqualTo("Generic");
        assertThat(Rmgrs.recordType(15, 0x00)).isEqualTo("LOG");
        assertThat(Rmgrs.recordType(13, 0x90)).isEqualTo("VACUUM_DATA_LEAF_PAGE");
        assertThat(Rmgrs.recordType(17, 0xA0)).isEqualTo("UPDATE+INIT");
        assertThat(Rmgrs.recordType(128, 0x00)).isEqualTo("UNKNOWN (0)");
    }
}
