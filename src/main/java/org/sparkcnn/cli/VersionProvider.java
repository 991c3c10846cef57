package org.sparkcnn.cli;

import org.sparkcnn.report.BuildInfo;
import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        BuildInfo b = BuildInfo.load();
        return new String[]{"sparkcnn " + b.sparkcnnVersion() + " (Spark " + b.sparkVersion() + ", DL4J "
                + b.dl4jVersion() + ", dl4j-spark " + b.dl4jSparkVersion() + ", " + b.nd4jBackend() + ")"};
    }
}
