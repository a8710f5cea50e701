package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import java.io.IOException;
import java.nio.file.Path;

/** {@code <dir>/wan.json}: the WAN plan and the ports, handed from {@code lab up} to the wan-daemon. */
record WanFile(WanPlan plan, WanLinks links) {

    static Path path(Path dir) {
        return dir.resolve("wan.json");
    }

    static WanFile read(Path dir) {
        try {
            return LabState.JSON.readValue(path(dir).toFile(), WanFile.class);
        } catch (IOException e) {
            throw new CliException(path(dir) + ": cannot be read: " + e.getMessage(), e);
        }
    }

    void write(Path dir) {
        try {
            LabState.JSON.writeValue(path(dir).toFile(), this);
        } catch (IOException e) {
            throw new CliException(path(dir) + ": cannot be written: " + e.getMessage(), e);
        }
    }
}
