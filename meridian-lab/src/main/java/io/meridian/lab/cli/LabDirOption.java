package io.meridian.lab.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --dir} option every lab verb takes, and the lab it names. */
public final class LabDirOption {

    @Option(names = "--dir", description = "Lab folder (default: $MERIDIAN_LAB_DIR or /tmp/meridian-lab).")
    Path dir;

    /** The lab's recorded state, from {@code --dir} or the default folder. */
    LabState read() {
        return LabState.read(dir == null ? LabState.defaultDir() : dir.toAbsolutePath());
    }
}
