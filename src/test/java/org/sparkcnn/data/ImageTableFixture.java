package org.sparkcnn.data;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Builds training and test inputs of the other data formats from the real MNIST files: PNG images,
 * Parquet tables of them with string labels, image-folder trees, and an RGB variant.
 */
public final class ImageTableFixture {
    /** The digits' names: string labels whose sorted order is not the digits' order. */
    public static final List<String> NAMES = List.of("zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine");

    private ImageTableFixture() {
    }

    /** The first {@code count} MNIST training (or test) images. */
    public static LabeledImages mnist(boolean train, int count) {
        DatasetShape shape = DatasetShape.MNIST;
        return train ? new IdxDatasetReader(new org.apache.hadoop.conf.Configuration(), shape)
                .readRange(MnistFixture.trainImages(), MnistFixture.trainLabels(), 0, count)
                : MnistFixture.testSet().slice(0, count);
    }

    /** Image {@code i} as a grey PNG of its size. */
    public static byte[] greyPng(LabeledImages images, int i) {
        BufferedImage image = new BufferedImage(images.cols(), images.rows(), BufferedImage.TYPE_BYTE_GRAY);
        int size = images.rows() * images.cols();
        image.getRaster().setDataElements(0, 0, images.cols(), images.rows(),
                java.util.Arrays.copyOfRange(images.pixels(), i * size, (i + 1) * size));
        return png(image);
    }

    /** Image {@code i} of RGB images (channel-major, as ColouredDigits paints them) as a PNG. */
    public static byte[] rgbPng(LabeledImages images, int i) {
        int plane = images.rows() * images.cols();
        int from = i * images.pixelsPerImage();
        BufferedImage image = new BufferedImage(images.cols(), images.rows(), BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < plane; p++) {
            int rgb = 0;
            for (int ch = 0; ch < 3; ch++) {
                rgb = (rgb << 8) | (images.pixels()[from + ch * plane + p] & 0xff);
            }
            image.setRGB(p % images.cols(), p / images.cols(), rgb);
        }
        return png(image);
    }

    public static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Parquet dataset of (image: binary, label: string) rows, written by a Spark session of its own. */
    public static void writeParquet(Path dir, List<byte[]> images, List<String> labels) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            rows.add(RowFactory.create(images.get(i), labels.get(i)));
        }
        StructType schema = new StructType().add("image", DataTypes.BinaryType, true)
                .add("label", DataTypes.StringType, true);
        inSession(session -> {
            session.createDataFrame(rows, schema).coalesce(2).write().parquet(dir.toString());
            return null;
        });
    }

    /** The columns of a Parquet dataset, read by a Spark session of its own. */
    public static List<Row> readParquet(Path dir, String... columns) {
        return inSession(session -> session.read().parquet(dir.toString()).selectExpr(columns).collectAsList());
    }

    /** Runs {@code work} in a local Spark session of its own, stopped after: the command under test starts its own. */
    public static <T> T inSession(java.util.function.Function<SparkSession, T> work) {
        SparkSession session = SparkSession.builder().master("local[1]").appName("fixture")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            return work.apply(session);
        } finally {
            session.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
    }

    /** Writes {@code bytes} to {@code file}, creating its folder. */
    public static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image folder: {@code dir/<label>/<i>.png}. */
    public static void writeFolder(Path dir, int count, IntFunction<byte[]> image, IntFunction<String> label) {
        try {
            for (int i = 0; i < count; i++) {
                Path folder = Files.createDirectories(dir.resolve(label.apply(i)));
                Files.write(folder.resolve(i + ".png"), image.apply(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
