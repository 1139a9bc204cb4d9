package dev.strata.storage.key;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyRangeTest {
    private static Key k(int blk) {
        return new Key(0, 1663, 5, 16384, 0, blk);
    }

    @Test
    void rangesAreHalfOpenAndCompareKeysUnsigned() {
        KeyRange r = new KeyRange(k(10), k(20));
        assertThat(r.contains(k(10))).isTrue();
        assertThat(r.contains(k(19))).isTrue();
        assertThat(r.contains(k(20))).isFalse();
        assertThat(r.overlaps(new KeyRange(k(19), k(30)))).isTrue();
        assertThat(r.overlaps(new KeyRange(k(20), k(30)))).isFalse();
        assertThat(r.covers(new KeyRange(k(12), k(20)))).isTrue();
        assertThat(r.covers(new KeyRange(k(12), k(21)))).isFalse();
        assertThat(KeyRange.ALL.contains(k(-1))).isTrue();
        assertThat(KeyRange.ALL.isAll()).isTrue();
        assertThat(new KeyRange(k(-2), k(-1)).contains(k(-2))).isTrue();
        assertThat(KeyRange.ALL.contains(Key.MAX)).isFalse();
    }

    @Test
    void aReversedRangeIsRefused() {
        assertThatThrownBy(() -> new KeyRange(k(2), k(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(k(2).toString());
    }
}
