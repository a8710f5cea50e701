package io.meridian.router.wire;

import io.meridian.core.cluster.Lsn;
import io.meridian.router.route.LagBound;
import io.meridian.router.route.RoutingHints;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Takes the router's own {@code meridian.*} settings out of a StartupMessage, so PostgreSQL never
 * sees them. They may come as top-level startup parameters or inside {@code options} as
 * {@code -c meridian.max_lag=5s} / {@code --meridian.max_lag=5s} (what libpq's {@code options=}
 * and pgjdbc's {@code options} property send); the later one wins, as in PostgreSQL.
 */
public final class ConnectionOptions {

    public static final String MAX_LAG = "meridian.max_lag";
    public static final String MIN_LSN = "meridian.min_lsn";
    public static final String REGION = "meridian.region";
    private static final String PREFIX = "meridian.";

    /** The rewritten packet and what it asked the router for. */
    public record Extracted(StartupPacket.Startup startup, RoutingHints hints) {
    }

    private ConnectionOptions() {
    }

    public static Extracted extract(StartupPacket.Startup startup) throws ProtocolException {
        Hints hints = new Hints();
        List<StartupPacket.Parameter> kept = new ArrayList<>();
        for (StartupPacket.Parameter p : startup.parameters()) {
            if (p.name().toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
                hints.set(p.name(), p.value());
            } else if (p.name().equals("options")) {
                String rest = stripOptions(p.value(), hints);
                if (!rest.isEmpty()) {
                    kept.add(new StartupPacket.Parameter("options", rest));
                }
            } else {
                kept.add(p);
            }
        }
        return new Extracted(new StartupPacket.Startup(startup.protocol(), kept), hints.build());
    }

    /** Splits {@code options} as PostgreSQL does (whitespace separates, backslash escapes) and drops ours. */
    static String stripOptions(String options, Hints hints) throws ProtocolException {
        List<String> tokens = split(options);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String setting = null;
            int consumed = 1;
            if (t.equals("-c") && i + 1 < tokens.size()) {
                setting = tokens.get(i + 1);
                consumed = 2;
            } else if (t.startsWith("-c")) {
                setting = t.substring(2);
            } else if (t.startsWith("--")) {
                setting = t.substring(2);
            }
            if (setting != null && setting.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
                int eq = setting.indexOf('=');
                if (eq < 0) {
                    throw new ProtocolException(ProtocolException.INVALID_PARAMETER,
                            "option \"" + setting + "\" has no value (expected -c " + setting + "=...)");
                }
                hints.set(setting.substring(0, eq), setting.substring(eq + 1));
                i += consumed - 1;
                continue;
            }
            for (int k = 0; k < consumed; k++) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(escape(tokens.get(i + k)));
            }
            i += consumed - 1;
        }
        return out.toString();
    }

    private static List<String> split(String s) {
        List<String> tokens = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inToken = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    tokens.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else {
                cur.append(c);
                inToken = true;
            }
        }
        if (inToken) {
            tokens.add(cur.toString());
        }
        return tokens;
    }

    private static String escape(String token) {
        StringBuilder b = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '\\' || Character.isWhitespace(c)) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    static final class Hints {
        private LagBound maxLag;
        private Lsn minLsn;
        private String region;

        void set(String rawName, String value) throws ProtocolException {
            String name = rawName.toLowerCase(Locale.ROOT);
            try {
                switch (name) {
                    case MAX_LAG -> maxLag = LagBound.parse(value);
                    case MIN_LSN -> minLsn = Lsn.parse(value);
                    case REGION -> {
                        if (!value.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                            throw new IllegalArgumentException("expected a region name, got \"" + value + "\"");
                        }
                        region = value;
                    }
                    default -> throw new ProtocolException(ProtocolException.INVALID_PARAMETER, "unrecognized router option \""
                            + rawName + "\" (expected " + MAX_LAG + ", " + MIN_LSN + " or " + REGION + ")");
                }
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(ProtocolException.INVALID_PARAMETER,
                        "invalid value for router option \"" + rawName + "\": " + e.getMessage());
            }
        }

        RoutingHints build() {
            return maxLag == null && minLsn == null && region == null ? RoutingHints.NONE : new RoutingHints(maxLag, minLsn, region);
        }
    }
}
