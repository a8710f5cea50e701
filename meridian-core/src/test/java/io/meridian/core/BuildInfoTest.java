package io.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BuildInfoTest {

    @Test
    void theBuildFillsInTheVersionAndCommit() {
        BuildInfo build = BuildInfo.current();

        assertThat(build.version()).matches("\\d+\\.\\d+\\.\\d+.*");
        // A git checkout gives the short commit; a source tarball without .git says unknown.
        assertThat(build.commit()).matches("[0-9a-f]{7,}|unknown");
        assertThat(build.line()).isEqualTo("meridian " + build.version() + " (commit " + build.commit() + ")");
    }

    @Test
    void valuesTheBuildLeftUnfilledAreUnknown() {
        assertThat(BuildInfo.of("0.2.0", "${git.commit}")).isEqualTo(new BuildInfo("0.2.0", "unknown"));
        assertThat(BuildInfo.of(null, " ")).isEqualTo(new BuildInfo("unknown", "unknown"));
    }
}
