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
 * images) as a Parquet table of raw 784-byte images and string
 * labels, each copy shifted by a different whole-pixel offset (up to 2 pixels) so that no two rows are
 * the same. Run with the test classpath:
 * {@code java -cp <test classpath> org.sparkcnn.data.ReplicatedMnist <mnist dir> <copies> <output URI> [test]}.
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
                                for (int i = 0; i < mnist.count(); i++) {
                                    rows.add(RowFactory.create(shifted(mnist, i, dr, dc),
                                            ImageTableFixture.NAMES.get(mnist.label(i))));
                                }
                            }
                            return rows.iterator();
                        }), schema)
                .write().mode(SaveMode.ErrorIfExists).parquet(output);
        session.stop();
    }

    private static byte[] shifted(LabeledImages images, int i, int dr, int dc) {
        byte[] out = new byte[784];
        byte[] pixels = images.pixels();
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                int sr = r - dr;
                int sc = c - dc;
                if (sr >= 0 && sr < 28 && sc >= 0 && sc < 28) {
                    out[r * 28 + c] = pixels[i * 784 + sr * 28 + sc];
                }
            }
        }
        return out;
    }
}
