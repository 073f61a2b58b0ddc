package dev.proxyanchor.spark.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"proxyanchor-spark " + (version == null ? "dev" : version)};
    }
}
