package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian lab partition REGION[,REGION]}: cut every WAN link between the named regions and
 * the rest (replacing an earlier partition). Connections stall rather than reset, as across a real
 * partition; {@code lab heal} lets the held bytes flow again.
 */
@Command(name = "partition", description = "Cut the WAN links between the named regions and the others.")
public final class LabPartition implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REGION[,REGION]", description = "Regions to cut off.")
    String regions;

    @Option(names = "--one-way", description = "Cut only traffic leaving the named regions (they still hear the others).")
    boolean oneWay;

    @Mixin
    LabDirOption lab;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LabState state = lab.read();
        LabPlan.parseRegions(regions);
        String url = WanDaemonProcess.controlUrl(state);
        HttpResponse<String> r = WanDaemonProcess.call(url, "POST", "/partition?regions="
                + URLEncoder.encode(regions, StandardCharsets.UTF_8) + "&one_way=" + oneWay);
        if (r.statusCode() != 200) {
            throw new CliException("partition refused by the WAN emulator: " + WanDaemonProcess.error(r));
        }
        spec.commandLine().getOut().println("Partitioned " + regions + (oneWay ? " (one way: outgoing traffic cut)" : " (both ways)")
                + "; undo with 'meridian lab heal'");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
