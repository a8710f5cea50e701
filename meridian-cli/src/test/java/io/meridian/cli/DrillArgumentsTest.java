package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The agent drills' options are checked before the drill touches the lab: one line and exit code 1. */
class DrillArgumentsTest {

    @TempDir
    Path emptyLab;

    private String refused(String... args) {
        CommandLine cmd = MeridianCli.commandLine();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(new StringWriter()));
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute(args)).as(String.join(" ", args)).isEqualTo(1);
        return err.toString().strip();
    }

    @Test
    void freezeIsForFreezeAgentOnlyAndAtLeastOneSecond() {
        assertThat(refused("drill", "kill-agent", "--freeze", "15", "--lab-dir", emptyLab.toString()))
                .isEqualTo("meridian: --freeze is for freeze-agent only");
        assertThat(refused("drill", "freeze-agent", "--freeze", "0.5", "--lab-dir", emptyLab.toString()))
                .isEqualTo("meridian: --freeze must be at least 1 second, got 0.5");
    }

    @Test
    void keepConfigNeedsSet() {
        assertThat(refused("drill", "freeze-agent", "--keep-config", "--lab-dir", emptyLab.toString()))
                .isEqualTo("meridian: --keep-config keeps what --set changed: give --set too");
    }

    @Test
    void theAgentDrillsReachTheLabCheck() {
        // Valid options: the next refusal is the missing lab, so nothing before it objected.
        assertThat(refused("drill", "freeze-agent", "--freeze", "15", "--set", "ttl=30", "--lab-dir", emptyLab.toString()))
                .startsWith("meridian: no lab in " + emptyLab);
        assertThat(refused("drill", "kill-agent", "--lab-dir", emptyLab.toString())).startsWith("meridian: no lab in ");
    }
}
