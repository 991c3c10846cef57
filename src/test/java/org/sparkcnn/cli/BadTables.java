package org.sparkcnn.cli;

import org.sparkcnn.data.ImageTableFixture;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MnistFixture;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small bad inputs for OwnImagesIT, each built on first use from real MNIST images. */
final class BadTables {
    private BadTables() {
    }

    /**
     * The data settings of input {@code kind}: "parquet" (a good table), "parquet:null-label", "images:..."
     * (a folder tree with one defect), or "idx".
     */
    static List<String> settings(Path work, String kind) {
        LabeledImages mnist = MnistFixture.testSet().slice(0, 40);
        Path dir = work.resolve("bad-inputs").resolve(kind.replace(':', '-'));
        if (kind.equals("idx")) {
            return List.of("data.dir=" + MnistFixture.dir());
        }
        if (kind.startsWith("parquet")) {
            if (!Files.exists(dir)) {
                for (String set : List.of("train", "test")) {
                    List<byte[]> images = new ArrayList<>();
                    List<String> labels = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        images.add(ImageTableFixture.greyPng(mnist, i));
                        labels.add(kind.endsWith("null-label") && i == 7 ? null : i % 2 == 0 ? "even" : "odd");
                    }
                    ImageTableFixture.writeParquet(dir.resolve(set), images, labels);
                }
            }
            return List.of("data.format=parquet", "data.train=" + dir.resolve("train"), "data.test=" + dir.resolve("test"));
        }
        if (!Files.exists(dir)) {
            String defect = kind.substring("images:".length());
            for (String set : List.of("train", "test")) {
                Path root = dir.resolve(set);
                boolean oneClass = defect.equals("one-class") && set.equals("train");
                ImageTableFixture.writeFolder(root, 20, i -> ImageTableFixture.greyPng(mnist, i),
                        i -> oneClass || i % 2 == 0 ? "zero" : "one");
                try {
                    if (set.equals("train") && defect.equals("undecodable")) {
                        Files.write(root.resolve("one/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
                    }
                    if (set.equals("train") && defect.equals("mismatch")) {
                        Files.write(root.resolve("one/small.png"), ImageTableFixture.png(
                                new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY)));
                    }
                    if (set.equals("test") && defect.equals("extra-test-class")) {
                        ImageTableFixture.writeFolder(root, 3, i -> ImageTableFixture.greyPng(mnist, i), i -> "ten");
                    }
                    if (set.equals("train") && defect.equals("empty-folder")) {
                        Files.createDirectories(root.resolve("nothing"));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return List.of("data.format=images", "data.train=" + dir.resolve("train"), "data.test=" + dir.resolve("test"));
    }
}
