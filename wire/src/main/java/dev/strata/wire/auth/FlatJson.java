package dev.strata.wire.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the top level of a JSON object (RFC 8259) into name → value: strings (escapes decoded), numbers (as
 * Double or Long), booleans and null; nested objects and arrays are checked for syntax and kept as their JSON
 * text. Enough for JWT headers and claims, without pulling a JSON library into every user of the verifier.
 */
final class FlatJson {
    private final String s;
    private int i;

    private FlatJson(String s) {
        this.s = s;
    }

    /** Parses {@code text}; throws IllegalArgumentException naming the offset of the first error. */
    static Map<String, Object> parseObject(String text) {
        FlatJson p = new FlatJson(text);
        p.ws();
        Map<String, Object> out = p.object(true);
        p.ws();
        if (p.i != text.length()) {
            throw p.error("trailing characters");
        }
        return out;
    }

    private Map<String, Object> object(boolean keep) {
        expect('{');
        Map<String, Object> out = new LinkedHashMap<>();
        ws();
        if (peek() == '}') {
            i++;
            return out;
        }
        while (true) {
            ws();
            String name = string();
            ws();
            expect(':');
            ws();
            int start = i;
            Object v = value();
            if (keep) {
                out.put(name, v != null || s.startsWith("null", start) ? v : s.substring(start, i));
            }
            ws();
            if (peek() == ',') {
                i++;
                continue;
            }
            expect('}');
            return out;
        }
    }

    private Object value() {
        char c = peek();
        switch (c) {
            case '"':
                return string();
            case '{': {
                int start = i;
                object(false);
                return s.substring(start, i);
            }
            case '[': {
                int start = i;
                array();
                return s.substring(start, i);
            }
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private void array() {
        expect('[');
        ws();
        if (peek() == ']') {
            i++;
            return;
        }
        while (true) {
            ws();
            value();
            ws();
            if (peek() == ',') {
                i++;
                continue;
            }
            expect(']');
            return;
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) {
            throw error("expected " + word);
        }
        i += word.length();
        return v;
    }

    private Object number() {
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String n = s.substring(start, i);
        try {
            return n.matches("-?\\d{1,18}") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw error("expected a value");
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw error("unterminated escape");
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        return s.charAt(i);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        i++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at offset " + i);
    }
}
