package io.meridian.cli.lab;

import io.meridian.cli.CliException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meridian lab heal}: restore every WAN link; stalled connections carry on. */
@Command(name = "heal", description = "Restore every WAN link cut by 'lab partition'.")
public final class LabHeal implements Callable<Integer> {

    @Option(names = "--dir", description = "Lab folder (default: $MERIDIAN_LAB_DIR or /tmp/meridian-lab).")
    Path dir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LabState state = LabState.read(dir == null ? LabState.defaultDir() : dir.toAbsolutePath());
        HttpResponse<String> r = WanDaemonProcess.call(WanDaemonProcess.controlUrl(state), "POST", "/heal");
        if (r.statusCode() != 200) {
            throw new CliException("heal refused by the WAN emulator: " + WanDaemonProcess.error(r));
        }
        spec.commandLine().getOut().println("All WAN links healed.");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
