package io.meridian.lab.drill;

import io.meridian.core.console.CliException;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where a write goes: host, port, database, user, and where its password comes from. Parsed from a
 * libpq key=value string (what {@code meridian lab status} prints), a {@code postgresql://} URI or a
 * {@code jdbc:postgresql://} URL. The password is looked up in a passfile ({@code passfile=},
 * $PGPASSFILE, ~/.pgpass) or $PGPASSWORD, never taken from the command line; a DSN built from a
 * node file carries the file's password, which {@link #toString()} never shows.
 */
public record Dsn(String host, int port, String dbname, String user, Path passfile, String password) {

    /** A DSN whose password comes from a passfile or the environment. */
    public Dsn(String host, int port, String dbname, String user, Path passfile) {
        this(host, port, dbname, user, passfile, null);
    }

    public static Dsn parse(String text) {
        String s = text.strip();
        Map<String, String> kv = new LinkedHashMap<>();
        if (s.startsWith("jdbc:")) {
            s = s.substring("jdbc:".length());
        }
        if (s.startsWith("postgresql://") || s.startsWith("postgres://")) {
            URI u = URI.create(s);
            if (u.getHost() != null) {
                kv.put("host", u.getHost());
            }
            if (u.getPort() > 0) {
                kv.put("port", Integer.toString(u.getPort()));
            }
            if (u.getUserInfo() != null) {
                if (u.getUserInfo().contains(":")) {
                    throw new CliException("DSN " + redact(text) + ": put the password in a passfile or $PGPASSWORD, not in the DSN");
                }
                kv.put("user", u.getUserInfo());
            }
            if (u.getPath() != null && u.getPath().length() > 1) {
                kv.put("dbname", u.getPath().substring(1));
            }
            if (u.getRawQuery() != null) {
                for (String pair : u.getRawQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        kv.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
            }
        } else {
            for (String pair : s.split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new CliException("DSN \"" + text + "\": expected key=value pairs, a postgresql:// URI or a jdbc:postgresql:// URL");
                }
                kv.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        if (kv.containsKey("password")) {
            throw new CliException("DSN " + redact(text) + ": put the password in a passfile or $PGPASSWORD, not in the DSN");
        }
        int port;
        try {
            port = Integer.parseInt(kv.getOrDefault("port", "5432"));
        } catch (NumberFormatException e) {
            throw new CliException("DSN \"" + text + "\": port must be a number, got \"" + kv.get("port") + "\"");
        }
        String pf = kv.getOrDefault("passfile", System.getenv("PGPASSFILE"));
        return new Dsn(kv.getOrDefault("host", "127.0.0.1"), port, kv.getOrDefault("dbname", "postgres"),
                kv.getOrDefault("user", "postgres"), pf == null ? null : Path.of(pf));
    }

    /** The same database, user and passfile on another server (a new leader named by etcd). */
    public Dsn at(String newHost, int newPort) {
        return new Dsn(newHost, newPort, dbname, user, passfile, password);
    }

    public String hostPort() {
        return host + ":" + port;
    }

    public String jdbcUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + dbname;
    }

    /**
     * pgjdbc settings for a probe: fail fast on a dead server (connect 1 s), never hang on a
     * stalled one (socket 3 s), and notice a dead peer on an idle connection (keepalive).
     */
    public Properties properties(String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", user);
        String pw = password != null ? password : lookupPassword();
        if (pw != null) {
            p.setProperty("password", pw);
        }
        p.setProperty("connectTimeout", "1");
        p.setProperty("loginTimeout", "3");
        p.setProperty("socketTimeout", "3");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", applicationName);
        return p;
    }

    /** The first matching passfile line (host:port:db:user:password, '*' wildcards), else $PGPASSWORD. */
    String lookupPassword() {
        Path file = passfile != null ? passfile : Path.of(System.getProperty("user.home"), ".pgpass");
        if (Files.isReadable(file)) {
            try {
                for (String line : Files.readAllLines(file)) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    List<String> f = fields(line);
                    if (f.size() == 5 && matches(f.get(0), host) && matches(f.get(1), Integer.toString(port))
                            && matches(f.get(2), dbname) && matches(f.get(3), user)) {
                        return f.get(4);
                    }
                }
            } catch (IOException e) {
                throw new CliException("passfile " + file + " cannot be read: " + e.getMessage(), e);
            }
        }
        return System.getenv("PGPASSWORD");
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value)
                || (value.equals("127.0.0.1") && pattern.equals("localhost"));
    }

    /** pgpass fields are ':'-separated; '\' escapes ':' and '\'. */
    static List<String> fields(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static String redact(String text) {
        return "\"" + text.replaceAll("(password=)\\S+", "$1***").replaceAll("(//[^:/@]+:)[^@]+@", "$1***@") + "\"";
    }

    @Override
    public String toString() {
        return user + "@" + hostPort() + "/" + dbname;
    }
}
