package org.sparkcnn.cli;

import org.apache.hadoop.conf.Configuration;
import org.sparkcnn.config.DataConfig;
import org.sparkcnn.data.MnistDownloader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.net.URI;
import java.util.concurrent.Callable;

@Command(name = "download", mixinStandardHelpOptions = true,
        description = "Download MNIST from data.download-mirrors into data.dir, verifying SHA-256 checksums.")
final class DownloadCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;

    @Override
    public Integer call() {
        DataConfig data = job.load().data();
        new MnistDownloader(new Configuration(), data.mirrors().stream().map(URI::toString).toList(),
                data.downloadTimeout()).download(data.dir()).forEach(uri -> System.out.println(uri));
        return 0;
    }
}
