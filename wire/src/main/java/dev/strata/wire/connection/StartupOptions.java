package dev.strata.wire.connection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the startup packet's {@code options} parameter as PostgreSQL does ({@code pg_split_opts}): words
 * separated by whitespace, a backslash makes the next character literal; settings are {@code -c name=value},
 * {@code -cname=value} or {@code --name=value}. This is how {@code PGOPTIONS='-c strata.tenant=…'} reaches the
 * server.
 */
public final class StartupOptions {
    private StartupOptions() {
    }

    /**
     * The settings in {@code options}, names lowercased.
     *
     * @throws IllegalArgumentException naming the word that is not a setting
     */
    public static Map<String, String> parse(String options) {
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> words = split(options);
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String setting;
            if (w.equals("-c")) {
                if (i + 1 >= words.size()) {
                    throw new IllegalArgumentException("option -c without a name=value setting after it");
                }
                setting = words.get(++i);
            } else if (w.startsWith("-c")) {
                setting = w.substring(2);
            } else if (w.startsWith("--")) {
                setting = w.substring(2);
            } else {
                throw new IllegalArgumentException("invalid word '" + w + "' in startup options: expected -c name=value");
            }
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("setting '" + setting + "' in startup options has no '=value'");
            }
            settings.put(setting.substring(0, eq).toLowerCase().replace('-', '_'), setting.substring(eq + 1));
        }
        return settings;
    }

    static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(cur.toString());
        }
        return words;
    }
}
