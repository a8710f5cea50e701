package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code meridian lab heal}: restore every WAN link; stalled connections carry on. */
@Command(name = "heal", description = "Restore every WAN link cut by 'lab partition'.")
public final class LabHeal implements Callable<Integer> {

    @Mixin
    LabDirOption lab;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LabState state = lab.read();
        HttpResponse<String> r = WanDaemonProcess.call(WanDaemonProcess.controlUrl(state), "POST", "/heal");
        if (r.statusCode() != 200) {
            throw new CliException("heal refused by the WAN emulator: " + WanDaemonProcess.error(r));
        }
        spec.commandLine().getOut().println("All WAN links healed.");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
