package dev.strata.storage.pgdata;

import dev.strata.storage.pg.RelTag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryFormatsTest {
    static LongStream seeds() {
        long base = System.nanoTime();
        return LongStream.range(0, 5).map(i -> base + i);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void everyDirectoryRoundTripsAndListsInUnsignedOrder(long seed) {
        System.out.println("DirectoryFormatsTest seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        DbDirectory dbs = new DbDirectory();
        RelDirectory rels = new RelDirectory();
        SlruDirectory slru = new SlruDirectory();
        for (int i = 0; i < 200; i++) {
            dbs.put(rnd.nextInt(), rnd.nextInt(), rnd.nextBoolean());
            rels.add(rnd.nextInt(), rnd.nextInt(4));
            slru.add(rnd.nextInt());
        }
        DbDirectory dbs2 = DbDirectory.decode(dbs.encode());
        assertThat(dbs2.databases()).isEqualTo(dbs.databases());
        for (DatadirView.Database d : dbs.databases()) {
            assertThat(dbs2.hasRelmap(d.spcNode(), d.dbNode())).isEqualTo(dbs.hasRelmap(d.spcNode(), d.dbNode()));
        }
        List<RelTag> listed = RelDirectory.decode(rels.encode()).relations(1663, 5);
        List<RelTag> sorted = new ArrayList<>(listed);
        sorted.sort(null);
        assertThat(listed).isEqualTo(sorted).hasSize(rels.size());
        List<Integer> segs = SlruDirectory.decode(slru.encode()).values();
        for (int i = 1; i < segs.size(); i++) {
            assertThat(Integer.compareUnsigned(segs.get(i - 1), segs.get(i))).isNegative();
        }
    }

    @Test
    void truncatedDirectoryValueIsRejectedWithItsKind() {
        byte[] bytes = new RelDirectory().encode();
        bytes[1] = 3;
        assertThatThrownBy(() -> RelDirectory.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("relation directory").hasMessageContaining("3 entries");
    }

    @Test
    void nextXidAdvancesInStepsAndCarriesIntoTheEpoch() {
        CheckPointData cp = CheckPointData.decode(new byte[CheckPointData.SIZE]);
        cp.setNextXid(735);
        assertThat(cp.advanceNextXidPast(700)).isFalse();
        assertThat(cp.advanceNextXidPast(735)).isTrue();
        assertThat(cp.nextXid()).isEqualTo(1024);
        assertThat(cp.advanceNextXidPast(1024)).isTrue();
        assertThat(cp.nextXid()).isEqualTo(2048);
        cp.setNextXid((3L << 32) | 0xFFFF_FF00L);
        assertThat(cp.advanceNextXidPast(0xFFFF_FFF0)).isTrue();
        assertThat(cp.nextXid()).isEqualTo((4L << 32) | 3);
        assertThat(cp.advanceNextXidPast(5)).isTrue();
        assertThat(cp.nextXid()).isEqualTo((4L << 32) | 1024);
    }
}
