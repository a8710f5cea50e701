package io.meridian.cli;

import io.meridian.core.BuildInfo;
import picocli.CommandLine.IVersionProvider;

/** What {@code --version} prints on every command: the version and git commit this jar was built from. */
public final class BuildVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {BuildInfo.current().line()};
    }
}
