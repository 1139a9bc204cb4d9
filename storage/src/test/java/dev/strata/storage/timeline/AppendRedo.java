package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.redo.PageRedo;
import dev.strata.storage.value.VersionedValue;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** A redo that is trivial to model: a record appends its payload to the value (a will-init record starts empty). */
public final class AppendRedo implements PageRedo {
    @Override
    public byte[] reconstruct(Key key, long lsn, byte[] baseImage, long baseLsn, List<VersionedValue> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (baseImage != null) {
            out.writeBytes(baseImage);
        }
        for (VersionedValue v : records) {
            if (v.lsn() > lsn || (baseImage != null && v.lsn() <= baseLsn)) {
                throw new AssertionError("record at " + v.lsn() + " outside (" + baseLsn + ", " + lsn + "]");
            }
            if (v.value().willInit()) {
                out.reset();
            }
            out.writeBytes(v.value().payload());
        }
        return out.toByteArray();
    }
}
