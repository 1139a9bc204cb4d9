package dev.strata.wire.protocol;

import java.util.Map;

/**
 * The untagged packets a client may send before (or instead of) a regular session, as the framer decodes them.
 *
 * <pre>
 * Int32 length (including itself), Int32 code, body
 *   code 80877103  SSLRequest      (length 8, no body)
 *   code 80877104  GSSENCRequest   (length 8, no body)
 *   code 80877102  CancelRequest   (length 16: Int32 backend pid, Int32 secret key)
 *   code 0x0003mmmm StartupMessage  (protocol 3.m: pairs of NUL-terminated name and value, then a final NUL)
 * </pre>
 */
public sealed interface StartupPacket {
    int SSL_REQUEST_CODE = 80877103;
    int GSSENC_REQUEST_CODE = 80877104;
    int CANCEL_REQUEST_CODE = 80877102;

    /** Asks to switch to TLS before startup. */
    record SslRequest() implements StartupPacket {
    }

    /** Asks for GSSAPI encryption, which Strata never offers. */
    record GssEncRequest() implements StartupPacket {
    }

    /** Asks to cancel the command running on the connection identified by BackendKeyData. */
    record CancelRequest(int processId, int secretKey) implements StartupPacket {
    }

    /** The StartupMessage: protocol version and parameters (user, database, options, replication...). */
    record StartupMessage(int majorVersion, int minorVersion, Map<String, String> parameters) implements StartupPacket {
    }
}
