package io.meridian.agent.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples back out of a Prometheus text exposition, for assertions. */
public final class ScrapeText {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;

    public ScrapeText(String text) {
        this.text = text;
    }

    /** The value of the one sample named {@code name} whose labels include all of {@code labels}. */
    public OptionalDouble value(String name, String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        OptionalDouble found = OptionalDouble.empty();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> have = labels(m.group(3));
            if (have.entrySet().containsAll(wanted.entrySet())) {
                if (found.isPresent()) {
                    throw new AssertionError("more than one " + name + " sample matches " + wanted + " in:\n" + text);
                }
                found = OptionalDouble.of(Double.parseDouble(m.group(4)));
            }
        }
        return found;
    }

    /** Names of all samples (as PromQL sees them: with _total, _bucket, _sum, _count). */
    public Set<String> sampleNames() {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Label sets of every sample named {@code name}, as maps. */
    public java.util.List<Map<String, String>> labelSets(String name) {
        java.util.List<Map<String, String>> sets = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches() && m.group(1).equals(name)) {
                sets.add(labels(m.group(3)));
            }
        }
        return sets;
    }

    private static Map<String, String> labels(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        if (body != null) {
            Matcher l = LABEL.matcher(body);
            while (l.find()) {
                out.put(l.group(1), l.group(2));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return text;
    }
}
