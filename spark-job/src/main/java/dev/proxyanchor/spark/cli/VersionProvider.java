package dev.proxyanchor.spark.cli;

import dev.proxyanchor.spark.runtime.BuildInfo;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the tool's version from the build, and what it was built against and runs on. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        BuildInfo build = BuildInfo.current();
        return new String[] {build.toolAndVersion(),
                "Spark " + build.spark() + ", Deeplearning4j " + build.dl4j() + ", Java "
                        + System.getProperty("java.version")};
    }
}
