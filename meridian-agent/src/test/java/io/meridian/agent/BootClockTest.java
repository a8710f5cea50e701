package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BootClockTest {

    @Test
    void formatsCentisecondsAsProcUptimeDoes() {
        assertThat(BootClock.format(1234567)).isEqualTo("12345.67");
        assertThat(BootClock.format(5)).isEqualTo("0.05");
        assertThat(BootClock.format(100)).isEqualTo("1.00");
    }

    @Test
    void mapsAMonotonicInstantToUptimeNeverLate() throws Exception {
        long before = centis(Files.readString(Path.of("/proc/uptime")));
        long mapped = BootClock.centisAt(System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
        long after = centis(Files.readString(Path.of("/proc/uptime")));
        // /proc/uptime advances in steps of 1 cs: the mapped instant lies within the reads, 3 s on, rounded down.
        assertThat(mapped).isBetween(before + 300 - 1, after + 300);
    }

    private static long centis(String uptime) {
        String s = uptime.substring(0, uptime.indexOf(' '));
        return Long.parseLong(s.replace(".", ""));
    }
}
