package dev.strata.wire.admin;

import dev.strata.storage.pg.Lsn;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.SqlState;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A cursor over the words of a command: whitespace-separated words, single-quoted strings ({@code ''} for a quote)
 * and double-quoted identifiers, the punctuation {@code ( ) ,} as words of their own, and a trailing {@code ;}
 * dropped. Words compare case-insensitively.
 */
public final class Tokens {
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-fA-F]{32}");

    /** One word; {@code quoted} for single-quoted strings. */
    public record Token(String text, boolean quoted) {
    }

    private final String command;
    private final List<Token> tokens;
    private int pos;

    private Tokens(String command, List<Token> tokens) {
        this.command = command;
        this.tokens = tokens;
    }

    public static Tokens of(String command) {
        List<Token> out = new ArrayList<>();
        String s = command.strip();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || (c == ';' && s.substring(i + 1).isBlank())) {
                i++;
            } else if (c == '\'' || c == '"') {
                StringBuilder b = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= s.length()) {
                        throw PgException.syntax("unterminated " + (c == '\'' ? "quoted string" : "quoted identifier")
                                + " at position " + (i + 1), "close it with " + c);
                    }
                    if (s.charAt(j) == c) {
                        if (j + 1 < s.length() && s.charAt(j + 1) == c) {
                            b.append(c);
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    b.append(s.charAt(j++));
                }
                out.add(new Token(b.toString(), c == '\''));
                i = j + 1;
            } else if (c == '(' || c == ')' || c == ',') {
                out.add(new Token(String.valueOf(c), false));
                i++;
            } else {
                int j = i;
                while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && "(),'\"".indexOf(s.charAt(j)) < 0
                        && !(s.charAt(j) == ';' && s.substring(j + 1).isBlank())) {
                    j++;
                }
                out.add(new Token(s.substring(i, j), false));
                i = j;
            }
        }
        return new Tokens(command, out);
    }

    public boolean hasMore() {
        return pos < tokens.size();
    }

    /** The next word, lowercased, without consuming it; null at the end. */
    public String peekWord() {
        return hasMore() && !tokens.get(pos).quoted() ? tokens.get(pos).text().toLowerCase(Locale.ROOT) : null;
    }

    public Token next(String what) {
        if (!hasMore()) {
            throw PgException.syntax("missing " + what + " in '" + command.strip() + "'", usage());
        }
        return tokens.get(pos++);
    }

    /** The next word, lowercased. */
    public String word(String what) {
        return next(what).text().toLowerCase(Locale.ROOT);
    }

    /** Consumes the next word when it is {@code w}. */
    public boolean accept(String w) {
        if (w.equals(peekWord())) {
            pos++;
            return true;
        }
        return false;
    }

    public void expect(String w) {
        if (!accept(w)) {
            throw PgException.syntax("expected '" + w + "' " + where(), usage());
        }
    }

    /** A tenant or timeline id: 32 hex digits, returned lowercase. */
    public String id(String what) {
        String text = next(what).text();
        if (!HEX_ID.matcher(text).matches()) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "invalid " + what + " '" + text
                    + "': ids are 32 hex digits", "copy the id from 'tenant list' or 'timeline list <tenant>'");
        }
        return text.toLowerCase(Locale.ROOT);
    }

    /** True when the next word looks like an id (for optional ids). */
    public boolean peekId() {
        return hasMore() && HEX_ID.matcher(tokens.get(pos).text()).matches();
    }

    /** An LSN in X/Y form. */
    public long lsn(String what) {
        String text = next(what).text();
        try {
            return Lsn.parse(text);
        } catch (IllegalArgumentException e) {
            throw new PgException(SqlState.INVALID_TEXT_REPRESENTATION, "invalid " + what + ": " + e.getMessage(),
                    "write LSNs as PostgreSQL does, e.g. 0/16B3748");
        }
    }

    /** A single-quoted string. */
    public String string(String what) {
        Token t = next(what);
        if (!t.quoted()) {
            throw PgException.syntax(what + " must be a single-quoted string, got " + t.text(), usage());
        }
        return t.text();
    }

    public void expectEnd() {
        if (hasMore()) {
            throw PgException.syntax("unexpected '" + tokens.get(pos).text() + "' " + where(), usage());
        }
    }

    private String where() {
        return "at word " + (pos + 1) + " of '" + command.strip() + "'";
    }

    public String command() {
        return command;
    }

    private String usage() {
        return AdminCommandParser.usage(command);
    }
}
