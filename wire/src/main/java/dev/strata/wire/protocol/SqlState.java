package dev.strata.wire.protocol;

/**
 * The SQLSTATE codes Strata answers with, from PostgreSQL's errcodes.txt (appendix A of its manual).
 */
public final class SqlState {
    public static final String SUCCESSFUL_COMPLETION = "00000";
    public static final String CONNECTION_EXCEPTION = "08000";
    public static final String PROTOCOL_VIOLATION = "08P01";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    public static final String INVALID_PARAMETER_VALUE = "22023";
    public static final String INVALID_TEXT_REPRESENTATION = "22P02";
    public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    public static final String INVALID_PASSWORD = "28P01";
    public static final String INVALID_CATALOG_NAME = "3D000";
    public static final String SYNTAX_ERROR = "42601";
    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    public static final String UNDEFINED_OBJECT = "42704";
    public static final String DUPLICATE_OBJECT = "42710";
    public static final String INVALID_PREPARED_STATEMENT_DEFINITION = "42P14";
    public static final String UNDEFINED_PSTATEMENT = "26000";
    public static final String INVALID_CURSOR_NAME = "34000";
    public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    public static final String OBJECT_IN_USE = "55006";
    public static final String QUERY_CANCELED = "57014";
    public static final String ADMIN_SHUTDOWN = "57P01";
    public static final String TOO_MANY_CONNECTIONS = "53300";
    public static final String CONFIGURATION_LIMIT_EXCEEDED = "53400";
    public static final String PROGRAM_LIMIT_EXCEEDED = "54000";
    public static final String UNDEFINED_FILE = "58P01";
    public static final String DATA_CORRUPTED = "XX001";
    public static final String INTERNAL_ERROR = "XX000";

    private SqlState() {
    }
}
