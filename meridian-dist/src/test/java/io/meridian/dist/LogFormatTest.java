package io.meridian.dist;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.cli.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The shipped logback.xml: {@code MERIDIAN_LOG_FORMAT=json} gives one parseable JSON object per line. */
class LogFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonFormatWritesOneObjectPerLine() throws Exception {
        List<String> lines = logWith("json");

        assertThat(lines).hasSize(3);
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.isObject()).as(line).isTrue();
            assertThat(event.path("loggerName").asText()).isEqualTo("io.meridian.test");
        }
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("formattedMessage").asText()).isEqualTo("cycle 7: leader n1");
        // A message with a quote and a line break stays inside its one JSON line.
        assertThat(JSON.readTree(lines.get(1)).path("formattedMessage").asText()).isEqualTo("said \"no\"\nthen left");
        JsonNode error = JSON.readTree(lines.get(2));
        assertThat(error.path("level").asText()).isEqualTo("ERROR");
        assertThat(error.path("throwable").path("message").asText()).isEqualTo("boom");
    }

    @Test
    void textFormatIsTheDefault() throws Exception {
        List<String> lines = logWith(null);

        assertThat(lines.get(0)).endsWith("INFO  [test] cycle 7: leader n1").doesNotStartWith("{");
    }

    @Test
    void launcherReadsTheOptionBeforeLogging() {
        assertThat(LogFormat.fromArgs(new String[] {"agent", "-c", "n.yml", "--log-format", "json"})).contains(LogFormat.json);
        assertThat(LogFormat.fromArgs(new String[] {"--log-format=text", "router"})).contains(LogFormat.text);
        assertThat(LogFormat.fromArgs(new String[] {"agent", "--log-format", "xml"})).isEmpty();
        assertThat(LogFormat.fromArgs(new String[] {"query", "--", "--log-format", "json"})).isEmpty();
    }

    @Test
    void aDaemonStaysADaemonWhenTheLogFormatComesFirst() {
        // Otherwise the launcher would take "meridian --log-format json agent" for an operator verb and log warnings only.
        assertThat(Meridian.isDaemon(LogFormat.withoutOption(new String[] {"--log-format", "json", "agent", "-c", "n.yml"}))).isTrue();
        assertThat(Meridian.isDaemon(LogFormat.withoutOption(new String[] {"--log-format=json", "router", "-c", "r.yml"}))).isTrue();
        assertThat(Meridian.isDaemon(LogFormat.withoutOption(new String[] {"--log-format", "json", "list"}))).isFalse();
    }

    /** Configures a fresh Logback from the shipped logback.xml, logs three events, returns what reached stderr. */
    private static List<String> logWith(String format) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // what SLF4J's provider does for the default context
        if (format != null) {
            context.putProperty(LogFormat.PROPERTY, format);
        }
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(Meridian.class.getResource("/logback.xml"));
            Logger log = context.getLogger("io.meridian.test");
            log.info("cycle {}: leader {}", 7, "n1");
            log.warn("said \"no\"\nthen left");
            log.error("failed", new IllegalStateException("boom"));
        } finally {
            context.stop();
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
