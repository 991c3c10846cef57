package org.sparkcnn.data;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Writes a large training set for the spill-to-disk measurement (docs/data-formats.md): {@code copies}
 * copies of the 60,000 MNIST training images (or, with a fourth argument {@code test}, the 10,000 test
 * images) as a Parquet table of raw images and string labels, each copy shifted by a different
 * whole-pixel offset (up to 2 pixels) so that no two rows are the same. The images are MNIST's 784 grey
 * bytes, or with a fifth argument {@code rgb}, 3x32x32 = 3,072 bytes painted by {@link ColouredDigits}
 * with the copy number as the colour seed: three times the bytes per image for about 1.4 times the
 * training work, so that a table several times an executor's memory trains in a fraction of the time.
 * Run with the test classpath:
 * {@code java -cp <test classpath> org.sparkcnn.data.ReplicatedMnist <mnist dir> <copies> <output URI> [train|test] [grey|rgb]}.
 */
public final class ReplicatedMnist {
    private ReplicatedMnist() {
    }

    public static void main(String[] args) {
        System.setProperty(MnistFixture.PROPERTY, args[0]);
        int copies = Integer.parseInt(args[1]);
        String output = args[2];
        SparkSession session = SparkSession.builder().master("local[2]").appName("replicated-mnist")
                .config("spark.ui.enabled", "false").getOrCreate();
        StructType schema = new StructType().add("image", DataTypes.BinaryType, false)
                .add("label", DataTypes.StringType, false);
        List<Integer> copyNumbers = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            copyNumbers.add(i);
        }
        String dir = args[0];
        boolean test = args.length > 3 && args[3].equals("test");
        boolean rgb = args.length > 4 && args[4].equals("rgb");
        session.createDataFrame(session.createDataset(copyNumbers, org.apache.spark.sql.Encoders.INT()).javaRDD()
                        .repartition(copies).mapPartitions((Iterator<Integer> it) -> {
                            System.setProperty(MnistFixture.PROPERTY, dir);
                            List<Row> rows = new ArrayList<>();
                            while (it.hasNext()) {
                                int copy = it.next();
                                LabeledImages mnist = test ? MnistFixture.testSet() : ImageTableFixture.mnist(true, 60_000);
                                // copy 0 as it is, then shifted by 1, 2, -2, -1 pixels down, then across
                                int dr = (copy % 5 + 2) % 5 - 2;
                                int dc = (copy / 5 % 5 + 2) % 5 - 2;
                                LabeledImages copyImages = shifted(mnist, dr, dc);
                                if (rgb) {
                                    copyImages = ColouredDigits.rgb(copyImages, 32, 32, copy);
                                }
                                int size = copyImages.pixelsPerImage();
                                for (int i = 0; i < copyImages.count(); i++) {
                                    rows.add(RowFactory.create(java.util.Arrays.copyOfRange(copyImages.pixels(),
                                            i * size, (i + 1) * size), ImageTableFixture.NAMES.get(copyImages.label(i))));
                                }
                            }
                            return rows.iterator();
                        }), schema)
                .write().mode(SaveMode.ErrorIfExists).parquet(output);
        session.stop();
    }

    /** MNIST's images moved {@code dr} pixels down and {@code dc} across, blank where they move in. */
    private static LabeledImages shifted(LabeledImages images, int dr, int dc) {
        byte[] out = new byte[images.count() * 784];
        byte[] pixels = images.pixels();
        byte[] labels = new byte[images.count()];
        for (int i = 0; i < images.count(); i++) {
            labels[i] = (byte) images.label(i);
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    int sr = r - dr;
                    int sc = c - dc;
                    if (sr >= 0 && sr < 28 && sc >= 0 && sc < 28) {
                        out[i * 784 + r * 28 + c] = pixels[i * 784 + sr * 28 + sc];
                    }
                }
            }
        }
        return new LabeledImages(images.count(), 28, 28, 1, out, labels);
    }
}
