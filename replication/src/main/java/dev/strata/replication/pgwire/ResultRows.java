package dev.strata.replication.pgwire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Decoding of text-format result rows: {@code DataRow = Int16 n, (Int32 len | -1, Byte[len])*n}. */
public final class ResultRows {
    private ResultRows() {
    }

    /** The columns of a DataRow as text, null for SQL NULL. */
    public static String[] parseDataRow(BackendMessage m) throws IOException {
        ByteBuffer b = m.buffer();
        try {
            int n = b.getShort() & 0xFFFF;
            String[] cols = new String[n];
            for (int i = 0; i < n; i++) {
                int len = b.getInt();
                if (len >= 0) {
                    cols[i] = new String(b.array(), b.position(), len, StandardCharsets.UTF_8);
                    b.position(b.position() + len);
                }
            }
            return cols;
        } catch (RuntimeException e) {
            throw new IOException("malformed DataRow of " + m.payload().length + " bytes", e);
        }
    }
}
