package dev.strata.storage.wal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WalDumpFormatTest {
    @Test
    void prints_pg_waldumps_columns_and_block_references() {
        byte[] main = {1, 0, 8};
        byte[] raw = RecordBytes.record(10, 0x80).xid(735).prev(0x155E210L)
                .block(0, 0, new int[]{1663, 5, 16384}, 0, new byte[]{1, 2}).mainData(main).build();
        DecodedRecord r = RecordDecoder.decode(raw, 0x155E248L, 0x155E288L);
        assertThat(WalDumpFormat.line(r)).isEqualTo("rmgr: Heap        len (rec/tot):     " + raw.length + "/    "
                + raw.length + ", tx:        735, lsn: 0/0155E248, prev 0/0155E210, desc: INSERT+INIT off 1 flags "
                + "0x08, blkref #0: rel 1663/5/16384 blk 0");
    }

    @Test
    void marks_images_and_forks_and_subtracts_images_from_the_record_length() {
        byte[] image = new byte[8192 - 100];
        byte[] raw = RecordBytes.record(0, 0xB0).prev(0x10L)
                .blockWithImage(0, 2, new int[]{1663, 5, 16384}, 7, image, 40, 0x03, 0, new byte[0])
                .blockWithImage(1, 0, null, 9, new byte[8192], 0, 0x00, 0, new byte[0])
                .build();
        DecodedRecord r = RecordDecoder.decode(raw, 0xFFFF_FFFF_0000_0028L, 0xFFFF_FFFF_0000_0028L + raw.length);
        String line = WalDumpFormat.line(r);
        assertThat(line).startsWith("rmgr: XLOG        len (rec/tot):     " + (raw.length - 8092 - 8192) + "/ "
                + raw.length + ", tx:          0, lsn: FFFFFFFF/00000028, prev 0/00000010, desc: FPI ");
        assertThat(line).endsWith(", blkref #0: rel 1663/5/16384 fork vm blk 7 FPW, blkref #1: rel 1663/5/16384 "
                + "blk 9 FPW for WAL verification");
    }

    @Test
    void stats_count_records_and_image_bytes_per_rmgr_and_type() {
        WalStats st = new WalStats();
        byte[] commit = RecordBytes.record(1, 0x80).mainData(new byte[8]).build();
        st.add(RecordDecoder.decode(commit, 0x1000028L, 0x1000048L));
        st.add(RecordDecoder.decode(commit, 0x1000048L, 0x1000068L));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        st.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("WAL statistics between 0/1000028 and 0/1000068:\n");
        assertThat(out).contains("Transaction/COMMIT                             2 (100.00)");
        assertThat(out).contains("Total                                          2");
        assertThat(st.records(1)).isEqualTo(2);
    }
}
