package org.sparkcnn.cli;

import org.sparkcnn.report.BuildInfo;
import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        BuildInfo b = BuildInfo.load();
        return new String[]{"sparkcnn " + b.sparkcnnVersion() + " (Spark " + b.sparkVersion() + ", Scala "
                + b.scalaVersion() + ", DL4J " + b.dl4jVersion() + ", " + b.nd4jBackend() + ")",
                "engines: " + b.engines()};
    }
}
